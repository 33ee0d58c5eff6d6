package gt.quetzal.ingest.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who the client is, for rate limiting by address. The peer of the TCP connection is the client,
 * unless that peer is a trusted proxy (the Ingress): then {@code X-Forwarded-For} is read from the
 * right, skipping trusted proxies, and the first address that is not one is the client. Without
 * trusted proxies the header is ignored, because any client can send it and would otherwise choose
 * its own bucket.
 */
public final class ClientAddresses {

  public static final ClientAddresses NO_PROXIES = new ClientAddresses(List.of());

  /** Literal addresses only: parsing must never turn into a DNS lookup. */
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private record Block(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int bits = prefix;
      for (int i = 0; i < address.length && bits > 0; i++, bits -= 8) {
        int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
        if ((address[i] & mask) != (network[i] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Block> trusted;

  private ClientAddresses(List<Block> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /** A comma-separated list of addresses and CIDR blocks, e.g. {@code 10.42.0.0/16, ::1}. */
  public static ClientAddresses parse(String list) {
    List<Block> blocks = new ArrayList<>();
    for (String part : list.split(",")) {
      String item = part.trim();
      if (item.isEmpty()) {
        continue;
      }
      int slash = item.indexOf('/');
      String host = slash < 0 ? item : item.substring(0, slash);
      byte[] address = literal(host);
      if (address == null) {
        throw new IllegalArgumentException("'" + item + "' is not an IP address or CIDR block");
      }
      int prefix = address.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(item.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > address.length * 8) {
          throw new IllegalArgumentException("'" + item + "' has an invalid prefix length");
        }
      }
      blocks.add(new Block(address, prefix));
    }
    return new ClientAddresses(blocks);
  }

  public boolean trustsAnyProxy() {
    return !trusted.isEmpty();
  }

  /**
   * @param peer          the connection's remote address, as text ({@code null} when unknown)
   * @param forwardedFor  the {@code X-Forwarded-For} value(s), comma-separated, or {@code null}
   * @return the client's address as text, or {@code "unknown"}
   */
  public String client(String peer, String forwardedFor) {
    if (peer == null) {
      return "unknown";
    }
    if (forwardedFor == null || !isTrusted(peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    String client = peer;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (literal(hop) == null) {
        break; // garbage in the header: stop at the last address we could verify
      }
      client = hop;
      if (!isTrusted(hop)) {
        break;
      }
    }
    return client;
  }

  private boolean isTrusted(String address) {
    byte[] bytes = literal(address);
    if (bytes == null) {
      return false;
    }
    for (Block block : trusted) {
      if (block.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] literal(String text) {
    String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (host.isEmpty() || host.length() > 45 || !LITERAL.matcher(host).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(host).getAddress(); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
