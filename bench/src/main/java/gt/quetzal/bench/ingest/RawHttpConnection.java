package gt.quetzal.bench.ingest;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal HTTP/1.1 keep-alive client for the benchmark: one connection, one request at a time,
 * requests pre-encoded by the caller. A general client (java.net.http, Jetty's) spends more CPU per
 * request than the server under test on this 2-core machine, which would measure the driver; this
 * one reuses its buffers and parses only the status, the framing headers and the body.
 */
final class RawHttpConnection implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private byte[] body = new byte[8 * 1024];
  private int bodyLength;
  private final byte[] line = new byte[8 * 1024];

  RawHttpConnection(String host, int port) throws IOException {
    this.socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
  }

  /** For tests: a connection over given streams. */
  RawHttpConnection(InputStream in, OutputStream out) {
    this.socket = null;
    this.out = out;
    this.in = in;
  }

  /** {@code POST path} with a JSON body, as bytes ready to write for every call. */
  static byte[] postJson(String host, int port, String path, byte[] json) {
    String head =
        "POST " + path + " HTTP/1.1\r\n"
            + "Host: " + host + ":" + port + "\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: " + json.length + "\r\n"
            + "\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] request = Arrays.copyOf(headBytes, headBytes.length + json.length);
    System.arraycopy(json, 0, request, headBytes.length, json.length);
    return request;
  }

  /** Sends one request and reads its whole response; returns the status code. */
  int exchange(byte[] request) throws IOException {
    out.write(request);
    out.flush();
    return readResponse();
  }

  /** The last response's body (valid until the next exchange). */
  String body() {
    return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
  }

  int readResponse() throws IOException {
    int length = readLine();
    if (length < 12) {
      throw new IOException("bad status line: " + new String(line, 0, length, StandardCharsets.US_ASCII));
    }
    int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    long contentLength = -1;
    boolean chunked = false;
    while ((length = readLine()) > 0) {
      String header = new String(line, 0, length, StandardCharsets.US_ASCII);
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        contentLength = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.toLowerCase().contains("chunked")) {
        chunked = true;
      }
    }
    bodyLength = 0;
    if (chunked) {
      while (true) {
        int sizeLength = readLine();
        String size = new String(line, 0, sizeLength, StandardCharsets.US_ASCII);
        int semicolon = size.indexOf(';');
        int chunk = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (chunk == 0) {
          while (readLine() > 0) {
            // trailers, if any
          }
          break;
        }
        readBody(chunk);
        readLine(); // the CRLF after the chunk
      }
    } else if (contentLength > 0) {
      readBody((int) contentLength);
    }
    return status;
  }

  private void readBody(int count) throws IOException {
    if (bodyLength + count > body.length) {
      body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + count));
    }
    int read = in.readNBytes(body, bodyLength, count);
    if (read < count) {
      throw new EOFException("connection closed in the middle of a body");
    }
    bodyLength += count;
  }

  /** Reads one CRLF-terminated line into {@code line}; returns its length without the CRLF. */
  private int readLine() throws IOException {
    int length = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed");
      }
      if (b == '\n') {
        return length > 0 && line[length - 1] == '\r' ? length - 1 : length;
      }
      if (length == line.length) {
        throw new IOException("header line longer than " + line.length + " bytes");
      }
      line[length++] = (byte) b;
    }
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
  }
}
