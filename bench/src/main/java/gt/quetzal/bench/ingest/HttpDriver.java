package gt.quetzal.bench.ingest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /votes} or {@code POST /votes/batch} over keep-alive connections, one request in
 * flight per connection (a closed loop: the next request leaves when the answer came), each
 * connection on its own thread.
 */
final class HttpDriver implements Driver {

  private final int port;
  private final List<byte[]> requests;
  private final int connections;
  private final boolean batch;
  private final int expectedStatus;
  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param requests pre-encoded requests, used round-robin
   * @param batch    whether a 202 must also list every vote as accepted (a partially accepted
   *                 batch counts as a failure)
   */
  HttpDriver(int port, List<byte[]> requests, int connections, boolean batch) {
    this(port, requests, connections, batch, 202);
  }

  HttpDriver(int port, List<byte[]> requests, int connections, boolean batch, int expectedStatus) {
    this.port = port;
    this.requests = List.copyOf(requests);
    this.connections = connections;
    this.batch = batch;
    this.expectedStatus = expectedStatus;
  }

  /** {@code GET path}, for the transport-only floor. */
  static byte[] get(String host, int port, String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Override
  public void start(Window window) {
    for (int c = 0; c < connections; c++) {
      int offset = c * 7919; // different connections send different votes
      Thread thread = new Thread(() -> loop(window, offset), "bench-http-" + c);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  private void loop(Window window, int offset) {
    int next = offset;
    while (window.running()) {
      try (RawHttpConnection connection = new RawHttpConnection("localhost", port)) {
        while (window.running()) {
          byte[] request = requests.get(Math.floorMod(next++, requests.size()));
          long start = System.nanoTime();
          int status = connection.exchange(request);
          boolean ok = status == expectedStatus && (!batch || allAccepted(connection.body()));
          window.completed(start, ok);
        }
      } catch (IOException e) {
        window.completed(System.nanoTime(), false); // counted as a failure; reconnect
      }
    }
  }

  /** A batch of valid votes is fully accepted when nothing is listed as rejected or unavailable. */
  static boolean allAccepted(String body) {
    return body.contains("\"rejected\":[]") && body.contains("\"unavailable\":[]");
  }

  @Override
  public void finish(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread thread : threads) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
  }
}
