package gt.quetzal.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the live state to every open page over SSE ({@code GET /api/events}).
 *
 * <p>One {@link ChangeSource} for the whole app; no per-client polling. A change note schedules one
 * Redis read; notes arriving meanwhile are coalesced, so the app reads and broadcasts at most once per
 * {@code minInterval} (100 ms: at most 10 pushes/s) however many notes or clients there are. The JSON is
 * built and encoded once per broadcast and the same bytes go to every client.
 *
 * <p>Each client has a one-slot mailbox written with non-blocking output ({@link SseConnection}): a slow
 * client only ever gets the newest state (older undelivered ones are superseded) and never delays the
 * others; one whose write stays unfinished past {@link SseLimits#writeTimeout()} is cut off. Events are
 * whole states, so skipping is safe:
 *
 * <ul>
 *   <li>{@code snapshot} — {@code {"version", "standings", "stats"}}; {@code version} grows with every
 *       read caused by a change, so a page re-reads the logs only when it moved (a rate-only update,
 *       sent when votes/s changes with no new note, keeps the version).
 *   <li>{@code problem} — {@code {"backend":"redis","detail"}} while Redis cannot be read or the
 *       subscription is down; the next {@code snapshot} means it recovered.
 * </ul>
 *
 * A new client gets the current state at once. A comment every {@code keepAlive} keeps proxies from
 * timing the stream out and finds clients that went away (a failed write closes and drops them).
 */
public final class LiveHub implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LiveHub.class);

  static final String SNAPSHOT = "snapshot";
  static final String PROBLEM = "problem";
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  static final Duration RATE_TICK = Duration.ofSeconds(1);
  static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(2);

  /** A named SSE event, encoded once for every client. */
  record Event(String name, SseConnection.Frame frame) {}

  /**
   * The hub's timing: at most one broadcast per {@code minInterval}, votes/s re-checked every
   * {@code rateTick}, a keep-alive comment every {@code keepAlive}.
   */
  record Pace(Duration minInterval, Duration rateTick, Duration keepAlive) {
    static final Pace DEFAULT = new Pace(MIN_INTERVAL, RATE_TICK, KEEP_ALIVE);
  }

  private final StandingsReader reader;
  private final ChangeSource changes;
  private final VoteRate rate;
  private final LongSupplier clock;
  private final Pace pace;
  private final Duration writeTimeout;
  private final ScheduledExecutorService scheduler;
  private final SseClients clients;
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Counter broadcasts;
  private final Counter notes;

  private volatile Event current;
  private volatile boolean connected;
  /** Monotonic millis ({@link #monotonicMillis()}), for the throttle; {@code clock} is wall time for the rate. */
  private volatile long lastRefreshAt = Long.MIN_VALUE / 2;
  // Touched only on the scheduler thread.
  private StandingsReader.Snapshot lastSnapshot;
  private long version;
  private double lastSentRate;
  private long lastPublishAt = Long.MIN_VALUE / 2;

  public LiveHub(StandingsReader reader, ChangeSource changes, VoteRate rate, MeterRegistry registry) {
    this(reader, changes, rate, registry, SseLimits.DEFAULTS);
  }

  public LiveHub(
      StandingsReader reader, ChangeSource changes, VoteRate rate, MeterRegistry registry, SseLimits limits) {
    this(reader, changes, rate, registry, System::currentTimeMillis, Pace.DEFAULT, limits);
  }

  /** {@code clock} is wall time, for the votes/s rate; tests pass their own, and a faster {@link Pace}. */
  LiveHub(
      StandingsReader reader,
      ChangeSource changes,
      VoteRate rate,
      MeterRegistry registry,
      LongSupplier clock,
      Pace pace,
      SseLimits limits) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.changes = Objects.requireNonNull(changes, "changes");
    this.rate = Objects.requireNonNull(rate, "rate");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.pace = Objects.requireNonNull(pace, "pace");
    this.writeTimeout = limits.writeTimeout();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("web-live", new AtomicInteger(-1)));
    // A new page gets the current state on the scheduler thread, so it cannot overtake a newer broadcast.
    this.clients = new SseClients(limits, registry, client -> run(() -> sendCurrent(client)));
    this.broadcasts =
        Counter.builder("quetzal.web.sse.broadcasts")
            .description("States pushed to all live pages (coalesced: at most one per 100 ms)")
            .register(registry);
    this.notes =
        Counter.builder("quetzal.web.changes.received")
            .description("Change notes received from the sinks")
            .register(registry);
  }

  private static ThreadFactory daemon(String name, AtomicInteger counter) {
    return r -> {
      int n = counter.getAndIncrement();
      Thread t = new Thread(r, n < 0 ? name : name + n);
      t.setDaemon(true);
      return t;
    };
  }

  /** Subscribes to the change source and starts the rate and keep-alive ticks. */
  public void start() {
    changes.start(
        new ChangeSource.Listener() {
          @Override
          public void onConnected() {
            connected = true;
            requestRefresh();
          }

          @Override
          public void onChange(String note) {
            notes.increment();
            requestRefresh();
          }

          @Override
          public void onLost(Exception cause) {
            connected = false;
            run(() -> publishProblem("se perdió la suscripción a los cambios"));
          }
        });
    long tick = pace.rateTick().toMillis();
    scheduler.scheduleWithFixedDelay(this::rateTick, tick, tick, TimeUnit.MILLISECONDS);
    long ka = pace.keepAlive().toMillis();
    scheduler.scheduleWithFixedDelay(clients::keepAlive, ka, ka, TimeUnit.MILLISECONDS);
    long sweep = Math.max(10, writeTimeout.toMillis() / 4);
    scheduler.scheduleWithFixedDelay(clients::dropStalled, sweep, sweep, TimeUnit.MILLISECONDS);
  }

  /** The reader of the standings this hub pushes; the page's JSON reads through the same one. */
  StandingsReader reader() {
    return reader;
  }

  /** Wall time on the hub's clock, the one its votes/s meter is fed on. */
  long now() {
    return clock.getAsLong();
  }

  /** The votes/s meter this hub feeds; {@code /api/stats} reads and feeds the same one. */
  public VoteRate rate() {
    return rate;
  }

  /** Open connections, for tests and the metrics gauge. */
  public int clientCount() {
    return clients.size();
  }

  /** The {@code GET /api/events} handler: caps, then registers the client (see {@link SseClients}). */
  public void serve(Context ctx) throws Exception {
    clients.serve(ctx);
  }

  private void sendCurrent(SseConnection client) {
    Event state = current;
    if (state != null) {
      client.offer(state.frame());
    }
  }

  /** Coalesces: at most one read queued, and never sooner than minInterval after the previous one. */
  private void requestRefresh() {
    if (refreshQueued.compareAndSet(false, true)) {
      long delay = Math.max(0, lastRefreshAt + pace.minInterval().toMillis() - monotonicMillis());
      try {
        scheduler.schedule(this::refresh, delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        refreshQueued.set(false);
      }
    }
  }

  private void run(Runnable task) {
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException closing) {
      // shutting down
    }
  }

  private void refresh() {
    refreshQueued.set(false); // a note arriving during the read queues the next one
    lastRefreshAt = monotonicMillis();
    long now = clock.getAsLong();
    if (!connected) {
      publishProblem("se perdió la suscripción a los cambios");
      return;
    }
    StandingsReader.Snapshot snapshot;
    try {
      snapshot = reader.read();
    } catch (RuntimeException e) {
      log.warn("live refresh failed: {}", e.toString());
      publishProblem("no se pudo leer");
      // The subscription may be fine while a read timed out: try again even if no note comes.
      try {
        scheduler.schedule(this::requestRefresh, RETRY_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // shutting down
      }
      return;
    }
    rate.record(now, ContestStats.accepted(snapshot));
    lastSnapshot = snapshot;
    version++;
    publishSnapshot(now);
  }

  /** Votes/s decays when the votes stop, without any note: re-send the last state when it moved. */
  private void rateTick() {
    long now = clock.getAsLong();
    Event state = current;
    if (lastSnapshot == null || state == null || !SNAPSHOT.equals(state.name()) || !connected) {
      return;
    }
    if (rate.perSecond(now) != lastSentRate && monotonicMillis() - lastPublishAt >= pace.minInterval().toMillis()) {
      publishSnapshot(now);
    }
  }

  private void publishSnapshot(long now) {
    double perSecond = rate.perSecond(now);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", version);
    body.put("standings", Standings.of(lastSnapshot));
    body.put("stats", ContestStats.of(lastSnapshot, perSecond));
    lastSentRate = perSecond;
    publish(new Event(SNAPSHOT, SseConnection.Frame.event(SNAPSHOT, json(body))));
  }

  private void publishProblem(String what) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("backend", WebApp.REDIS);
    body.put("detail", "Redis no responde (" + what + "); reintentando…");
    publish(new Event(PROBLEM, SseConnection.Frame.event(PROBLEM, json(body))));
  }

  private void publish(Event event) {
    current = event;
    lastPublishAt = monotonicMillis();
    broadcasts.increment();
    clients.broadcast(event.frame());
  }

  private static long monotonicMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
  }

  private static String json(Object body) {
    try {
      return Json.MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the live state", e);
    }
  }

  /**
   * Stops the subscription and the ticks, then ends every stream. Must run while the HTTP server is
   * still up: Javalin cannot end an SSE stream whose server already stopped (the request was recycled),
   * so WebMain closes the hub before it stops the server.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    changes.close();
    scheduler.shutdownNow();
    clients.close();
  }
}
