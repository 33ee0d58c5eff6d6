package gt.quetzal.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import io.javalin.http.sse.SseClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the live state to every open page over SSE ({@code GET /api/events}).
 *
 * <p>One {@link ChangeSource} for the whole app; no per-client polling. A change note schedules one
 * Redis read; notes arriving meanwhile are coalesced, so the app reads and broadcasts at most once per
 * {@code minInterval} (100 ms: at most 10 pushes/s) however many notes or clients there are. The JSON is
 * built once per broadcast and the same string goes to every client.
 *
 * <p>Each client has a one-slot mailbox drained by a small shared pool: a slow client only ever gets
 * the newest state (older undelivered ones are dropped, they are superseded) and never delays the
 * others. Events are whole states, so dropping is safe:
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
  private static final int SENDER_THREADS = 4;

  /** A named SSE event with its JSON data; {@link #KEEP_ALIVE_COMMENT} is a comment line instead. */
  record Event(String name, String data) {}

  private static final Event KEEP_ALIVE_COMMENT = new Event(null, "keep-alive");

  private final StandingsReader reader;
  private final ChangeSource changes;
  private final VoteRate rate;
  private final LongSupplier clock;
  private final long minIntervalMs;
  private final Duration rateTick;
  private final Duration keepAlive;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService senders;
  private final Set<LiveClient> clients = ConcurrentHashMap.newKeySet();
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
    this(reader, changes, rate, registry, System::currentTimeMillis, MIN_INTERVAL, RATE_TICK, KEEP_ALIVE);
  }

  LiveHub(
      StandingsReader reader,
      ChangeSource changes,
      VoteRate rate,
      MeterRegistry registry,
      LongSupplier clock,
      Duration minInterval,
      Duration rateTick,
      Duration keepAlive) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.changes = Objects.requireNonNull(changes, "changes");
    this.rate = Objects.requireNonNull(rate, "rate");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.minIntervalMs = minInterval.toMillis();
    this.rateTick = rateTick;
    this.keepAlive = keepAlive;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("web-live", new AtomicInteger(-1)));
    this.senders = Executors.newFixedThreadPool(SENDER_THREADS, daemon("web-sse-", new AtomicInteger()));
    Gauge.builder("quetzal.web.sse.clients", clients, Set::size)
        .description("Open live-page connections")
        .register(registry);
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
    long tick = rateTick.toMillis();
    scheduler.scheduleWithFixedDelay(this::rateTick, tick, tick, TimeUnit.MILLISECONDS);
    long ka = keepAlive.toMillis();
    scheduler.scheduleWithFixedDelay(this::keepAliveTick, ka, ka, TimeUnit.MILLISECONDS);
  }

  /** The votes/s meter this hub feeds; {@code /api/stats} reads and feeds the same one. */
  public VoteRate rate() {
    return rate;
  }

  /** Open connections, for tests and the metrics gauge. */
  public int clientCount() {
    return clients.size();
  }

  /** The SSE handler: registers the client and sends it the current state. */
  public void register(SseClient sse) {
    LiveClient client = new LiveClient(sse);
    sse.keepAlive();
    sse.onClose(() -> clients.remove(client));
    if (closed.get()) {
      sse.close();
      return;
    }
    clients.add(client);
    if (closed.get() && clients.remove(client)) { // close() ran meanwhile and may have missed it
      sse.close();
      return;
    }
    Event state = current; // read after add: a broadcast in between is older or the same
    if (state != null) {
      client.offer(state);
    }
  }

  /** Coalesces: at most one read queued, and never sooner than minInterval after the previous one. */
  private void requestRefresh() {
    if (refreshQueued.compareAndSet(false, true)) {
      long delay = Math.max(0, lastRefreshAt + minIntervalMs - monotonicMillis());
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
    if (rate.perSecond(now) != lastSentRate && monotonicMillis() - lastPublishAt >= minIntervalMs) {
      publishSnapshot(now);
    }
  }

  private void keepAliveTick() {
    for (LiveClient client : clients) {
      client.offerKeepAlive();
    }
  }

  private void publishSnapshot(long now) {
    double perSecond = rate.perSecond(now);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", version);
    body.put("standings", Standings.of(lastSnapshot));
    body.put("stats", ContestStats.of(lastSnapshot, perSecond));
    lastSentRate = perSecond;
    publish(new Event(SNAPSHOT, json(body)));
  }

  private void publishProblem(String what) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("backend", WebApp.REDIS);
    body.put("detail", "Redis no responde (" + what + "); reintentando…");
    publish(new Event(PROBLEM, json(body)));
  }

  private void publish(Event event) {
    current = event;
    lastPublishAt = monotonicMillis();
    broadcasts.increment();
    for (LiveClient client : clients) {
      client.offer(event);
    }
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
    senders.shutdown();
    try {
      senders.awaitTermination(2, TimeUnit.SECONDS); // no write may race the closes below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (LiveClient client : clients) {
      if (!client.sse.terminated()) {
        client.sse.close();
      }
    }
    clients.clear();
  }

  /** One open page: a one-slot mailbox (newest state wins) drained by the shared sender pool. */
  private final class LiveClient {
    final SseClient sse;
    final AtomicReference<Event> pending = new AtomicReference<>();
    final AtomicBoolean draining = new AtomicBoolean();

    LiveClient(SseClient sse) {
      this.sse = sse;
    }

    void offer(Event event) {
      pending.set(event);
      schedule();
    }

    /** A keep-alive never replaces a state waiting to go out. */
    void offerKeepAlive() {
      if (pending.compareAndSet(null, KEEP_ALIVE_COMMENT)) {
        schedule();
      }
    }

    private void schedule() {
      if (draining.compareAndSet(false, true)) {
        try {
          senders.execute(this::drain);
        } catch (RejectedExecutionException closing) {
          draining.set(false);
        }
      }
    }

    private void drain() {
      try {
        Event event;
        while ((event = pending.getAndSet(null)) != null && !sse.terminated()) {
          if (event == KEEP_ALIVE_COMMENT) {
            sse.sendComment(event.data());
          } else {
            sse.sendEvent(event.name(), event.data());
          }
        }
      } catch (RuntimeException e) {
        log.debug("dropping a live client: {}", e.toString());
        sse.close();
      } finally {
        draining.set(false);
      }
      if (sse.terminated()) {
        clients.remove(this); // a failed write closed it
      } else if (pending.get() != null) {
        schedule(); // offered between the last getAndSet and clearing the flag
      }
    }
  }
}
