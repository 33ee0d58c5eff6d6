package gt.quetzal.web;

import io.javalin.http.sse.SseClient;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open live page, written with servlet non-blocking output so that no thread ever waits on its
 * socket. It holds one slot, the newest frame not yet written (older ones are superseded: events are
 * whole states). A frame is written only when the stream is ready; while a write is unfinished, newer
 * frames just replace the slot. {@link SseClients} cuts the page off when a write stays unfinished past
 * the write timeout.
 */
final class SseConnection implements WriteListener {

  private static final Logger log = LoggerFactory.getLogger(SseConnection.class);

  /** Why a page went away: it stopped reading (counted as dropped), its socket failed, or shutdown. */
  enum End { TOO_SLOW, GONE, SHUTDOWN }

  /** The bytes of one SSE event or comment, encoded once per broadcast and shared by every page. */
  record Frame(byte[] bytes) {
    static Frame event(String name, String data) {
      StringBuilder text = new StringBuilder(data.length() + name.length() + 16);
      text.append("event: ").append(name).append('\n');
      for (String line : data.split("\n", -1)) { // JSON has no raw newlines; this keeps the framing safe anyway
        text.append("data: ").append(line).append('\n');
      }
      return new Frame(text.append('\n').toString().getBytes(StandardCharsets.UTF_8));
    }

    static Frame comment(String text) {
      return new Frame((": " + text + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  static final Frame KEEP_ALIVE = Frame.comment("keep-alive");

  final String address;
  private final SseClient sse;
  private final ServletOutputStream out;
  private final BiConsumer<SseConnection, End> onEnd;
  private final AtomicReference<Frame> pending = new AtomicReference<>();
  private final AtomicBoolean ended = new AtomicBoolean();
  private boolean pumping; // guarded by this
  /** Set while a write is unfinished (the stream said not ready), with the nanoTime it started. */
  private volatile boolean inFlight;
  private volatile long inFlightSince;

  SseConnection(SseClient sse, String address, BiConsumer<SseConnection, End> onEnd) throws IOException {
    this.sse = sse;
    this.address = address;
    this.onEnd = onEnd;
    this.out = sse.ctx().res().getOutputStream();
  }

  /** Switches the stream to non-blocking writes; Jetty then calls {@link #onWritePossible()}. */
  void start() {
    out.setWriteListener(this);
  }

  void offer(Frame frame) {
    pending.set(frame);
    pump();
  }

  /** A keep-alive never replaces a state waiting to go out. */
  void offerKeepAlive() {
    if (pending.compareAndSet(null, KEEP_ALIVE)) {
      pump();
    }
  }

  /** True if a write has been unfinished since before {@code deadlineNanos}. */
  boolean stalledSince(long deadlineNanos) {
    return inFlight && inFlightSince - deadlineNanos < 0;
  }

  @Override
  public void onWritePossible() {
    pump();
  }

  @Override
  public void onError(Throwable failure) {
    log.debug("live page write failed: {}", failure.toString());
    end(End.GONE);
  }

  private void pump() {
    boolean failed = false;
    synchronized (this) {
      if (pumping || ended.get()) {
        return; // re-entered from a callback: the outer loop checks readiness again
      }
      pumping = true;
      try {
        while (out.isReady()) {
          inFlight = false;
          Frame next = pending.getAndSet(null);
          if (next == null) {
            return;
          }
          out.write(next.bytes());
          if (out.isReady()) {
            out.flush(); // a small frame may sit in Jetty's aggregate buffer until flushed
          }
        }
        if (!inFlight) { // not ready: a write is unfinished from now on, until Jetty calls back
          inFlightSince = System.nanoTime();
          inFlight = true;
        }
      } catch (IOException | RuntimeException e) {
        log.debug("live page write failed: {}", e.toString());
        failed = true;
      } finally {
        pumping = false;
      }
    }
    if (failed) {
      end(End.GONE);
    }
  }

  /**
   * Ends the page once: cuts the connection (a pending write fails at once instead of at Jetty's idle
   * timeout), ends Javalin's stream, and tells the owner.
   */
  void end(End why) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    if (why != End.SHUTDOWN || inFlight) {
      closeEndPoint();
    }
    try {
      sse.close();
    } catch (RuntimeException e) {
      log.debug("closing a live page: {}", e.toString());
    }
    onEnd.accept(this, why);
  }

  private void closeEndPoint() {
    try {
      ServletContextRequest request = ServletContextRequest.getServletContextRequest(sse.ctx().req());
      EndPoint endPoint = request == null ? null : request.getServletChannel().getEndPoint();
      if (endPoint != null) {
        endPoint.close();
      }
    } catch (RuntimeException e) {
      log.debug("closing a live page's connection: {}", e.toString());
    }
  }
}
