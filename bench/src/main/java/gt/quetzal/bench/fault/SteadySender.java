package gt.quetzal.bench.fault;

import gt.quetzal.kit.DaemonThreads;
import gt.quetzal.proto.v1.Vote;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Sends votes at a steady total rate through ingest's four routes at once ({@link Route.Kind}: {@code POST
 * /votes}, {@code POST /votes/batch}, {@code Cast}, {@code CastStream}) and keeps each vote's final outcome.
 * A vote whose answer leaves its fate unknown (503 / UNAVAILABLE, a timeout, a broken connection; per item
 * on the batch and stream routes) goes again with the same voteId, on the same route, until it is
 * acknowledged or refused or its retry window closes; the pipeline must then count it at most once.
 *
 * <p>Every {@link #TICK} each route gets its retries due and its share of new votes, as much as it has room
 * for (requests in flight are bounded, as a real client's are): votes a full route cannot take wait, up to
 * two seconds' worth, and the rest are never made, so the rate reached is what the stack took. VoteIds are {@code <runId>.<tag><sequence>}.
 */
public final class SteadySender implements AutoCloseable {

  static final Duration TICK = Duration.ofMillis(50);

  /**
   * @param votesPerSecond in total over the four routes
   * @param attemptTimeout bound on one attempt (a stream message's ack included); above ingest's publish
   *     timeout (13 s by default) so the server answers first
   * @param retryWindow no new attempt starts this long after a vote's first one
   * @param retryDelay pause before a retry when the server gave no hint
   * @param giveUpEvery every n-th vote's client gives up after its first unknown answer instead of
   *     retrying (0: every client retries), so runs also hold votes that may or may not be stored
   * @param resendEvery every n-th vote is sent once more after its acknowledgment, under the same voteId,
   *     as a client does that lost the answer on the way back (0: none); the streams app must drop the copy
   */
  public record Settings(
      double votesPerSecond, Duration attemptTimeout, Duration retryWindow, Duration retryDelay, int giveUpEvery,
      int resendEvery) {
    public static final Settings DEFAULT =
        new Settings(1_000, Duration.ofSeconds(20), Duration.ofSeconds(45), Duration.ofSeconds(1), 10, 7);

    public Settings withRetryWindow(Duration window, Duration delay) {
      return new Settings(votesPerSecond, attemptTimeout, window, delay, giveUpEvery, resendEvery);
    }

    public Settings withRate(double perSecond) {
      return new Settings(perSecond, attemptTimeout, retryWindow, retryDelay, giveUpEvery, resendEvery);
    }
  }

  private final Settings settings;
  private final String runId;
  private final List<Map.Entry<String, String>> bands;
  private final HttpClient http;
  private final ManagedChannel channel;
  private final Map<Route.Kind, Lane> lanes = new EnumMap<>(Route.Kind.class);
  private final ScheduledExecutorService scheduler;
  private final ConcurrentLinkedQueue<PendingVote> votes = new ConcurrentLinkedQueue<>();
  private final AtomicLong sequence = new AtomicLong();
  private volatile boolean sending;
  private long startNanos;
  private volatile long stopNanos;

  /** One route and what waits for it. */
  private static final class Lane {
    final Route route;
    final Queue<PendingVote> retries = new ConcurrentLinkedQueue<>();
    long made;

    Lane(Route route) {
      this.route = route;
    }
  }

  /** @param bands band name to an album of it; votes go round-robin over them */
  public SteadySender(FaultStack stack, String runId, Map<String, String> bands, Settings settings) {
    this(stack::endpoints, runId, bands, settings);
  }

  /** @param stack where the votes go, asked again on every HTTP attempt (a restarted ingest may move) */
  public SteadySender(
      Supplier<FaultStack.Endpoints> stack, String runId, Map<String, String> bands, Settings settings) {
    this.settings = settings;
    this.runId = runId;
    this.bands = List.copyOf(bands.entrySet());
    FaultStack.Endpoints endpoints = stack.get();
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
        .build();
    this.channel = Grpc.newChannelBuilderForAddress(endpoints.grpcHost(), endpoints.grpcPort(),
        InsecureChannelCredentials.create()).build();
    for (Route.Kind kind : Route.Kind.values()) {
      Route route = switch (kind) {
        case HTTP, BATCH ->
            new HttpRoute(kind == Route.Kind.BATCH, http, () -> stack.get().ingestHttp(), settings.attemptTimeout());
        case CAST, STREAM -> new GrpcRoute(kind == Route.Kind.STREAM, channel, settings.attemptTimeout());
      };
      lanes.put(kind, new Lane(route));
    }
    this.scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named("fault-sender"));
  }

  /** Starts the four routes at the configured rate. */
  public void start() {
    sending = true;
    startNanos = System.nanoTime();
    scheduler.scheduleAtFixedRate(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** No new votes from now on; votes already started keep retrying within their window. */
  public void stopSending() {
    if (sending) {
      stopNanos = System.nanoTime();
    }
    sending = false;
  }

  /** Seconds between {@link #start} and {@link #stopSending}. */
  public double sendingSeconds() {
    long end = sending ? System.nanoTime() : stopNanos;
    return (end - startNanos) / 1e9;
  }

  private void tick() {
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    for (Lane lane : lanes.values()) {
      try {
        List<PendingVote> due = new ArrayList<>();
        int room = lane.route.room();
        for (PendingVote retry; due.size() < room && (retry = lane.retries.poll()) != null; ) {
          due.add(retry);
        }
        if (sending) {
          double perSecond = lane.route.kind().share(settings.votesPerSecond());
          long owed = (long) (perSecond * elapsed) - lane.made;
          for (; owed > 0 && due.size() < room; owed--) {
            due.add(newVote(lane));
            lane.made++;
          }
          // Votes a full route could not take wait for room, up to two seconds' worth; older ones are never made.
          lane.made += Math.max(0, owed - (long) (2 * perSecond));
        }
        lane.route.send(due);
      } catch (RuntimeException e) { // one bad tick must not end the schedule
        System.err.println("fault sender, " + lane.route.kind().label() + ": " + e);
      }
    }
  }

  private PendingVote newVote(Lane lane) {
    long seq = sequence.getAndIncrement();
    Map.Entry<String, String> band = bands.get((int) (seq % bands.size()));
    Vote vote = Vote.newBuilder()
        // >= 16 characters, as ingest asks
        .setVoteId(String.format("%s.%s%07d", runId, lane.route.kind().idTag(), seq))
        .setName(band.getKey())
        .setAlbum(band.getValue())
        .setYear(2001)
        .setRank((int) (seq % 100) + 1)
        .build();
    boolean retries = settings.giveUpEvery() <= 0 || seq % settings.giveUpEvery() != 0;
    boolean resend = settings.resendEvery() > 0 && seq % settings.resendEvery() == 1;
    PendingVote pending = new PendingVote(vote, lane.route.kind(), retries, resend, settings,
        (v, delay) -> scheduler.schedule(() -> lane.retries.add(v), delay, TimeUnit.MILLISECONDS));
    votes.add(pending);
    return pending;
  }

  /** Votes started so far. */
  public long sent() {
    return sequence.get();
  }

  /**
   * Waits until every started vote has its final outcome, at most {@code timeout}; votes still waiting
   * then are PENDING.
   */
  public List<VoteOutcome> awaitOutcomes(Duration timeout) {
    List<PendingVote> all = new ArrayList<>(votes);
    try {
      CompletableFuture.allOf(all.stream().map(a -> a.done).toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // Reported as PENDING below.
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for answers", e);
    }
    List<VoteOutcome> outcomes = new ArrayList<>(all.size());
    for (PendingVote a : all) {
      outcomes.add(a.now());
    }
    return outcomes;
  }

  @Override
  public void close() {
    stopSending();
    scheduler.shutdownNow();
    lanes.values().forEach(lane -> lane.route.close());
    channel.shutdownNow();
  }
}
