package gt.quetzal.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare socket that asks for {@code /api/events}: either never reads (a stalled browser, with a small
 * receive buffer so the server's writes back up quickly) or reads just the response head.
 */
final class RawSse implements AutoCloseable {

  private final Socket socket;

  private RawSse(Socket socket) {
    this.socket = socket;
  }

  /** Connects from {@code from} (any 127/8 address works on loopback) and sends the SSE request. */
  static RawSse open(int port, String from, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer); // before connect, so the TCP window is small from the start
    }
    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    socket.setSoTimeout(5_000);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET /api/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return new RawSse(socket);
  }

  static RawSse open(int port) throws IOException {
    return open(port, "127.0.0.1", 0);
  }

  /** Reads the status line and headers (up to the blank line), lower-cased names kept as sent. */
  String head() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** A response's status, head (status line and headers) and, when it has a Content-Length, body. */
  record Response(int status, String head, String body) {
    /** The value of a header, matched case-insensitively, or null. */
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** Reads the head, and the body if it has a length (an SSE stream has none: its body is left unread). */
  Response response() throws IOException {
    String head = head();
    int status = Integer.parseInt(head.split(" ", 3)[1]);
    Response partial = new Response(status, head, null);
    String length = partial.header("Content-Length");
    if (length == null) {
      return partial;
    }
    byte[] body = socket.getInputStream().readNBytes(Integer.parseInt(length));
    return new Response(status, head, new String(body, StandardCharsets.UTF_8));
  }

  /**
   * Reads until the server ends the connection (EOF or reset); true if it did within the socket timeout.
   * Only for sockets whose stream the server was meant to cut.
   */
  boolean endedByServer() {
    try {
      InputStream in = socket.getInputStream();
      byte[] sink = new byte[64 * 1024];
      while (in.read(sink) >= 0) {
        // drain what was buffered before the close
      }
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
