package gt.quetzal.web;

import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open live pages: who may open one ({@link SseLimits}: per client address, then in total), and
 * delivery to each without any shared thread waiting on a socket (see {@link SseConnection}).
 *
 * <p>The client address is the socket's remote address. Web has no trusted-proxy rule, so behind a
 * proxy every page shares the proxy's address and the per-address cap counts proxies, not browsers.
 */
final class SseClients {

  private static final Logger log = LoggerFactory.getLogger(SseClients.class);

  static final String EVENT_STREAM = "text/event-stream";
  /** Seconds a refused page is asked to wait; the page itself retries after 3 s. */
  static final int RETRY_AFTER_SECONDS = 5;

  private final SseLimits limits;
  private final Consumer<SseConnection> onOpen;
  private final Set<SseConnection> open = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> perAddress = new HashMap<>(); // guarded by this
  private int total; // guarded by this; counts admitted streams, including those still starting
  private volatile boolean closed;
  private final Counter dropped;
  private final Counter refusedPerAddress;
  private final Counter refusedTotal;

  /** {@code onOpen} sends a new page the current state. */
  SseClients(SseLimits limits, MeterRegistry registry, Consumer<SseConnection> onOpen) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.onOpen = Objects.requireNonNull(onOpen, "onOpen");
    Gauge.builder("quetzal.web.sse.clients", open, Set::size)
        .description("Open live-page connections")
        .register(registry);
    this.dropped =
        Counter.builder("quetzal.web.sse.dropped")
            .description("Live pages cut off because a write stayed unfinished past SSE_WRITE_TIMEOUT_MS")
            .register(registry);
    this.refusedPerAddress = refused(registry, "per-address");
    this.refusedTotal = refused(registry, "total");
  }

  private static Counter refused(MeterRegistry registry, String reason) {
    return Counter.builder("quetzal.web.sse.refused")
        .description("Live-page connections refused by a cap (429 per address, 503 in total)")
        .tag("reason", reason)
        .register(registry);
  }

  int size() {
    return open.size();
  }

  /** The {@code GET /api/events} handler: admits or refuses (429 / 503), then hands over to Javalin's SSE. */
  void serve(Context ctx) throws Exception {
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains(EVENT_STREAM)) {
      new SseHandler(SseClient::close).handle(ctx); // Javalin's answer to a non-SSE request, unchanged
      return;
    }
    String address = ctx.req().getRemoteAddr();
    ApiProblem refusal = admit(address);
    if (refusal != null) {
      throw refusal;
    }
    try {
      new SseHandler(sse -> register(sse, address)).handle(ctx);
    } catch (Exception | Error e) {
      release(address);
      throw e;
    }
  }

  private synchronized ApiProblem admit(String address) {
    if (closed || total >= limits.maxClients()) {
      refusedTotal.increment();
      return ApiProblem.unavailable(
          "Demasiadas páginas en vivo abiertas; reintente en unos segundos.", RETRY_AFTER_SECONDS);
    }
    int mine = perAddress.getOrDefault(address, 0);
    if (mine >= limits.maxPerAddress()) {
      refusedPerAddress.increment();
      return ApiProblem.tooManyRequests(
          "Demasiadas páginas en vivo abiertas desde su dirección (máximo " + limits.maxPerAddress() + ").",
          RETRY_AFTER_SECONDS);
    }
    total++;
    perAddress.put(address, mine + 1);
    return null;
  }

  private synchronized void release(String address) {
    total--;
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  private void register(SseClient sse, String address) {
    sse.keepAlive();
    SseConnection connection;
    try {
      connection = new SseConnection(sse, address, this::ended);
    } catch (IOException | RuntimeException e) {
      log.debug("cannot open a live page: {}", e.toString());
      release(address);
      sse.close();
      return;
    }
    sse.onClose(() -> connection.end(SseConnection.End.GONE));
    connection.start(); // non-blocking from here on; only then may a broadcast reach it
    open.add(connection);
    if (closed) { // close() ran meanwhile and may have missed it
      connection.end(SseConnection.End.SHUTDOWN);
      return;
    }
    onOpen.accept(connection);
  }

  private void ended(SseConnection connection, SseConnection.End why) {
    open.remove(connection);
    release(connection.address);
    if (why == SseConnection.End.TOO_SLOW) {
      dropped.increment();
      log.info("dropped a live page at {}: a write stayed unfinished for {}", connection.address, limits.writeTimeout());
    }
  }

  void broadcast(SseConnection.Frame frame) {
    for (SseConnection connection : open) {
      connection.offer(frame);
    }
  }

  void keepAlive() {
    for (SseConnection connection : open) {
      connection.offerKeepAlive();
    }
  }

  /** Cuts off every page whose write has been unfinished for longer than the write timeout. */
  void dropStalled() {
    long deadline = System.nanoTime() - limits.writeTimeout().toNanos();
    for (SseConnection connection : open) {
      if (connection.stalledSince(deadline)) {
        connection.end(SseConnection.End.TOO_SLOW);
      }
    }
  }

  /** Ends every stream and refuses new ones. */
  void close() {
    closed = true;
    for (SseConnection connection : open) {
      connection.end(SseConnection.End.SHUTDOWN);
    }
  }
}
