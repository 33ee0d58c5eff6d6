package gt.quetzal.bench.fault;

import gt.quetzal.bench.stack.Probe;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Stats;
import gt.quetzal.kit.DaemonThreads;
import gt.quetzal.load.reconcile.LivePipeline;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.RedisClient;

/**
 * One fault run: votes flow at a steady rate through both routes, the fault strikes after a warm-up,
 * votes keep flowing once the stack is whole again, then the run waits for every answer and for the
 * stores to settle, and judges them against the acknowledged voteIds ({@link FaultResult}).
 */
public record FaultRun(FaultStack stack, Settings settings, PrintStream progress) {

  /**
   * @param warmUp sending before the fault
   * @param afterRecovery sending after the stack is whole again
   * @param settleTimeout bound on waiting for the stores to show every acknowledged vote; a sink killed
   *     hard only resumes once its old consumer's session (45 s) expired, so keep this above a minute
   * @param settleInterval how often the stores are read while settling
   */
  public record Settings(
      SteadySender.Settings sender, Duration warmUp, Duration afterRecovery, Duration settleTimeout,
      Duration settleInterval) {
    public static final Settings DEFAULT = new Settings(
        SteadySender.Settings.DEFAULT, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(120),
        Duration.ofSeconds(1));
  }

  public FaultResult run(Fault fault) {
    if (!stack.supports().contains(fault)) {
      throw new IllegalArgumentException(fault + " is not supported by " + stack.getClass().getSimpleName());
    }
    long began = System.nanoTime();
    String runId = "f" + fault.number() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> bands = stack.bandsFor(runId);
    say("fault %d (%s), run %s: sending %.0f votes/s per route over HTTP and gRPC", fault.number(), fault.title(),
        runId, settings.sender().votesPerSecond());
    List<String> problems = new ArrayList<>();
    try (Stores stores = new Stores(stack.endpoints(), bands.keySet())) {
      Map<String, Long> baseline = stores.bandTotals();
      long duplicatesBefore = stores.streamsDuplicates();
      FaultEvidence evidence;
      List<VoteOutcome> outcomes;
      try (SteadySender sender = new SteadySender(stack, runId, bands, settings.sender())) {
        sender.start();
        Probe.hold(settings.warmUp());
        say("  %,d votes started; injecting: %s", sender.sent(), fault.description());
        try {
          evidence = stack.inject(fault);
        } catch (RuntimeException e) {
          evidence = new FaultEvidence(false, "the stack did not recover: " + e.getMessage());
          problems.add(evidence.account());
        }
        say("  %s", evidence.account());
        Probe.hold(settings.afterRecovery());
        sender.stopSending();
        say("  %,d votes started; waiting for their last answers", sender.sent());
        outcomes = sender.awaitOutcomes(
            settings.sender().retryWindow().plus(settings.sender().attemptTimeout()).plusSeconds(5));
      }
      long settleBegan = System.nanoTime();
      long resent = outcomes.stream().filter(VoteOutcome::resent).count();
      FaultResult result = settle(stores, runId, outcomes, baseline, duplicatesBefore, resent);
      say("  stores %s after %.1f s", result.consistent() ? "settled" : "did NOT settle",
          (System.nanoTime() - settleBegan) / 1e9);
      long duplicatesAfter = stores.streamsDuplicates();
      long dedup = duplicatesBefore < 0 || duplicatesAfter < 0 ? -1 : duplicatesAfter - duplicatesBefore;
      return result.withFault(
          fault, evidence, dedup, problems, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }
  }

  /**
   * Reads the stores every {@code settleInterval} until two looks in a row agree and show nothing lost or
   * doubled (and the streams app has dropped at least the deliberate resends, when its stats answer), or
   * the timeout passes; returns the last judgement.
   */
  private FaultResult settle(
      Stores stores, String runId, List<VoteOutcome> outcomes, Map<String, Long> baseline, long duplicatesBefore,
      long resent) {
    ScheduledExecutorService scheduler = DaemonThreads.scheduler("fault-settle");
    CompletableFuture<FaultResult> done = new CompletableFuture<>();
    AtomicReference<FaultResult> last = new AtomicReference<>();
    AtomicReference<String> lastError = new AtomicReference<>();
    scheduler.scheduleWithFixedDelay(() -> {
      FaultResult now;
      try {
        now = FaultResult.judge(runId, outcomes, stores.storedIds(runId), growth(stores.bandTotals(), baseline));
      } catch (RuntimeException e) {
        lastError.set(e.getMessage());
        return;
      }
      FaultResult previous = last.getAndSet(now);
      long duplicates = duplicatesBefore < 0 ? -1 : stores.streamsDuplicates();
      boolean copiesDropped = duplicates < 0 || duplicates - duplicatesBefore >= resent;
      if (copiesDropped && now.consistent() && previous != null && previous.consistent()
          && previous.counted() == now.counted() && previous.stored() == now.stored()) {
        done.complete(now);
      }
    }, 0, settings.settleInterval().toMillis(), TimeUnit.MILLISECONDS);
    try {
      return done.get(settings.settleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      FaultResult seen = last.get();
      if (seen == null) {
        throw new IllegalStateException("the stores never answered: " + lastError.get());
      }
      return seen;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the stores", e);
    } finally {
      scheduler.shutdownNow();
    }
  }

  static Map<String, Long> growth(Map<String, Long> now, Map<String, Long> baseline) {
    Map<String, Long> growth = new HashMap<>();
    now.forEach((band, total) -> growth.put(band, total - baseline.getOrDefault(band, 0L)));
    return growth;
  }

  private void say(String format, Object... args) {
    progress.println(String.format(Locale.ROOT, format, args));
    progress.flush();
  }

  /** Redis band totals and the run's MongoDB voteIds, read through the reconciler's pipeline. */
  private static final class Stores implements AutoCloseable {
    private final RedisClient redis;
    private final LivePipeline pipeline;
    private final String[] bands;

    Stores(FaultStack.Endpoints stack, Set<String> bands) {
      this.redis = RedisClient.create(stack.redisUrl());
      this.pipeline = LivePipeline.connect(stack.streamsUrl(), stack.redisUrl(), stack.mongoUri());
      this.bands = bands.toArray(String[]::new);
    }

    Map<String, Long> bandTotals() {
      List<String> values = redis.hmget(RedisKeys.BAND_TOTALS, bands);
      Map<String, Long> totals = new HashMap<>();
      for (int i = 0; i < bands.length; i++) {
        totals.put(bands[i], values.get(i) == null ? 0L : Long.parseLong(values.get(i)));
      }
      return totals;
    }

    /** The streams app's {@code duplicates} counter ({@code GET /api/stats}), or -1 when it does not answer. */
    long streamsDuplicates() {
      try {
        return pipeline.streamsStats().getOrDefault(Stats.DUPLICATES, -1L);
      } catch (RuntimeException e) { // PipelineException: not answering, or not JSON
        return -1;
      }
    }

    Set<String> storedIds(String runId) {
      return pipeline.storedVoteIds(List.of(runId));
    }

    @Override
    public void close() {
      redis.close();
      pipeline.close();
    }
  }
}
