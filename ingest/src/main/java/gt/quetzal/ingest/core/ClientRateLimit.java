package gt.quetzal.ingest.core;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The rate-limit policy both routes apply to the votes of one request: which bucket each vote is
 * charged to ({@link RateLimitConfig.Key}), then one all-or-nothing charge. Every vote received is
 * charged, valid or not, before validation, so floods of bad votes are limited too.
 *
 * <p>Over HTTP the body is charged first, before it is read ({@link #chargeBody}): one token per
 * started {@value #BYTES_PER_TOKEN} bytes, to the client address, so a malformed or oversized body
 * costs its sender too. The votes found in it then cost only what the body did not already pay.
 * Keyed by voterId, a body that parsed gives the address back what its voterId'd votes were charged
 * to their voters instead, so many voters behind one address are not limited as one.
 *
 * <p>Address keys: an IPv4 client is its address; an IPv6 client is its /64, the block one
 * subscriber gets, so cycling through addresses of one's own /64 buys no fresh bucket.
 */
public final class ClientRateLimit {

  /** Longer voterIds are invalid anyway; charging them to the address keeps keys small. */
  private static final int MAX_KEY_LENGTH = 200;

  /**
   * A body's size per token: 1 KiB, the room a vote has in the largest batch (MAX_BATCH_BODY_BYTES /
   * MAX_BATCH_SIZE); a traffic-file vote is about 80 bytes, so well-formed votes pay by count.
   */
  public static final int BYTES_PER_TOKEN = 1_024;

  private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private final RateLimitConfig config;
  private final RateLimiter limiter;

  public ClientRateLimit(RateLimitConfig config, RateLimiter limiter) {
    this.config = Objects.requireNonNull(config, "config");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
  }

  /** The production limiter for {@code config}, or {@code null} when rate limiting is off. */
  public static ClientRateLimit of(RateLimitConfig config) {
    return config.enabled() ? new ClientRateLimit(config, RateLimiter.of(config)) : null;
  }

  public RateLimitConfig config() {
    return config;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  /** Registers the gauge of the keys this limit tracks, tagged with the route's channel. */
  public void bindTo(MeterRegistry registry, String channel) {
    Gauge.builder("quetzal.ingest.rate.limit.keys", limiter, RateLimiter::trackedKeys)
        .description("Clients (addresses or voterIds) the rate limiter currently tracks")
        .tag("channel", channel)
        .strongReference(true)
        .register(registry);
  }

  /** Whether a rejection names the voterId (the key was the vote's own voterId). */
  public boolean keyedByVoter() {
    return config.key() == RateLimitConfig.Key.VOTER_ID;
  }

  /** Tokens a body of this many bytes costs: at least 1, one per started {@value #BYTES_PER_TOKEN}. */
  public static int bodyTokens(long bytes) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN));
  }

  /** Charges {@code tokens} for a body to the client address, before it is read or parsed. */
  public RateLimiter.Decision chargeBody(String clientAddress, int tokens) {
    return limiter.tryAcquire(addressKey(clientAddress), tokens);
  }

  /** The same as {@link #check(String, List, int)} with nothing paid before. */
  public RateLimiter.Decision check(String clientAddress, List<?> voterIds) {
    return check(clientAddress, voterIds, 0);
  }

  /**
   * @param clientAddress the client as {@link ClientAddresses#client} resolved it
   * @param voterIds      one entry per vote of the request: its raw voterId value, or null
   * @param paid          tokens the address already paid for the request's body; votes charged to
   *                      the address cost only what exceeds them
   */
  public RateLimiter.Decision check(String clientAddress, List<?> voterIds, int paid) {
    if (voterIds.isEmpty()) {
      return new RateLimiter.Decision(true, 0);
    }
    String byAddress = addressKey(clientAddress);
    Map<String, Integer> costs = new LinkedHashMap<>();
    if (config.key() == RateLimitConfig.Key.IP) {
      costs.put(byAddress, voterIds.size());
    } else {
      for (Object voterId : voterIds) {
        costs.merge(voterKey(voterId, byAddress), 1, Integer::sum);
      }
    }
    int byAddressCost = costs.getOrDefault(byAddress, 0);
    int unused = Math.max(0, paid - byAddressCost);
    if (byAddressCost > 0 && paid > 0) {
      if (byAddressCost <= paid) {
        costs.remove(byAddress);
      } else {
        costs.put(byAddress, byAddressCost - paid);
      }
    }
    if (unused > 0) {
      limiter.refund(byAddress, unused); // the voters pay for their own votes
    }
    return costs.isEmpty() ? new RateLimiter.Decision(true, 0) : limiter.tryAcquireAll(costs);
  }

  /** An IPv4 address as is; an IPv6 address as its /64 prefix; anything else (in-process) as is. */
  static String addressKey(String clientAddress) {
    String text = clientAddress == null ? "unknown" : clientAddress;
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1); // Jetty brackets IPv6 peers
    }
    int zone = text.indexOf('%'); // a link-local scope is not part of the address
    String host = zone < 0 ? text : text.substring(0, zone);
    if (host.indexOf(':') >= 0 && host.length() <= 45 && IP_LITERAL.matcher(host).matches()) {
      try {
        byte[] bytes = InetAddress.getByName(host).getAddress(); // a literal: no lookup happens
        if (bytes.length == 16) {
          StringBuilder prefix = new StringBuilder("ip6:");
          for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF))).append(':');
          }
          return prefix.append(":/64").toString();
        }
        return "ip:" + InetAddress.getByAddress(bytes).getHostAddress(); // IPv4-mapped: the IPv4 client
      } catch (UnknownHostException e) {
        return "ip:" + text;
      }
    }
    return "ip:" + text;
  }

  /** The voterId as the validator will see it (NFC), so one voter is one bucket however it is encoded. */
  private static String voterKey(Object voterId, String byAddress) {
    if (voterId instanceof String text) {
      String normalized = Normalizer.normalize(text.strip(), Normalizer.Form.NFC);
      if (!normalized.isEmpty() && normalized.length() <= MAX_KEY_LENGTH) {
        return "voter:" + normalized;
      }
    }
    return byAddress;
  }
}
