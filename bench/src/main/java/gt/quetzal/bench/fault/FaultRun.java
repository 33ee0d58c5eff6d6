package gt.quetzal.bench.fault;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import gt.quetzal.bench.stack.Probe;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Stats;
import gt.quetzal.kit.DaemonThreads;
import gt.quetzal.load.reconcile.LivePipeline;
import gt.quetzal.load.recount.Comparison;
import gt.quetzal.load.recount.Recount;
import gt.quetzal.load.recount.RecountConfig;
import gt.quetzal.load.recount.RecountMain;
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
 * One fault run: votes flow at a steady rate through the four routes, the fault strikes after a warm-up
 * (for a {@linkplain Fault#quiet() quiet} fault, once traffic stopped and every answer is in), votes keep
 * flowing once the stack is whole again, then the run waits for every answer and for the stores to
 * settle, judges them against the acknowledged voteIds ({@link FaultResult}), and recounts the stack.
 */
public record FaultRun(FaultStack stack, Settings settings, PrintStream progress) {

  private static final String LATE = Stats.rejected("late");

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
    say("fault %d (%s), run %s: sending %.0f votes/s over POST /votes, POST /votes/batch, Cast and CastStream",
        fault.number(), fault.title(), runId, settings.sender().votesPerSecond());
    List<String> problems = new ArrayList<>();
    try (Stores stores = new Stores(stack.endpoints(), bands.keySet())) {
      Map<String, Long> baseline = stores.bandTotals();
      long duplicatesBefore = stores.streamsDuplicates();
      long lateBefore = stores.redisStat(LATE);
      FaultEvidence evidence;
      List<VoteOutcome> outcomes;
      double sendingSeconds;
      Duration answers = settings.sender().retryWindow().plus(settings.sender().attemptTimeout()).plusSeconds(5);
      try (SteadySender sender = new SteadySender(stack, runId, bands, settings.sender())) {
        sender.start();
        Probe.hold(settings.warmUp());
        if (fault.quiet()) {
          sender.stopSending();
          say("  %,d votes started; traffic stops, waiting for their answers", sender.sent());
          outcomes = sender.awaitOutcomes(answers);
        } else {
          outcomes = null;
        }
        say("  injecting: %s", fault.description());
        try {
          evidence = stack.inject(fault);
        } catch (RuntimeException e) {
          evidence = new FaultEvidence(false, "the stack did not recover: " + e.getMessage());
          problems.add(evidence.account());
        }
        say("  %s", evidence.account());
        if (!fault.quiet()) {
          Probe.hold(settings.afterRecovery());
          sender.stopSending();
          say("  %,d votes started; waiting for their last answers", sender.sent());
          outcomes = sender.awaitOutcomes(answers);
        }
        sendingSeconds = sender.sendingSeconds();
      }
      long settleBegan = System.nanoTime();
      long resent = outcomes.stream().filter(VoteOutcome::resent).count();
      FaultResult result = settle(stores, runId, outcomes, baseline, duplicatesBefore, resent);
      say("  stores %s after %.1f s", result.consistent() ? "settled" : "did NOT settle",
          (System.nanoTime() - settleBegan) / 1e9);
      long duplicatesAfter = stores.streamsDuplicates();
      long dedup = duplicatesBefore < 0 || duplicatesAfter < 0 ? -1 : duplicatesAfter - duplicatesBefore;
      long late = stores.redisStat(LATE) - lateBefore;
      if (late != 0) {
        problems.add(late + " vote(s) rejected as late during the run (stats " + LATE + ")");
      }
      FaultResult.RecountCheck recount = recount();
      say("  recount over the whole stack: %s", recount.account());
      return result.withFault(fault, evidence, dedup, problems,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), result.acknowledged() / sendingSeconds, recount);
    }
  }

  /**
   * {@code ./quetzal recount} over the whole stack, not only this run's votes: it recounts Kafka's whole log
   * and MongoDB against all of Redis, so a run's damage cannot hide behind its own bands, and damage left by
   * an earlier run on the same stack fails this run too.
   */
  private FaultResult.RecountCheck recount() {
    FaultStack.Endpoints at = stack.endpoints();
    RecountConfig config = new RecountConfig(at.bootstrapServers(), at.redisUrl(), at.mongoUri(), settings.settleTimeout());
    try (RedisClient redis = RedisClient.create(at.redisUrl()); MongoClient mongo = MongoClients.create(at.mongoUri())) {
      Recount.Verdict verdict = RecountMain.recount(config, redis, mongo);
      if (verdict.agrees()) {
        return new FaultResult.RecountCheck(true, String.format(Locale.ROOT, "agrees (%,d accepted votes in the log)",
            verdict.fromKafka().stats().getOrDefault(Stats.ACCEPTED, 0L)));
      }
      List<String> differences = new ArrayList<>(verdict.gaps());
      for (List<Comparison.Line> lines : List.of(verdict.kafka(), verdict.mongo())) {
        String source = lines == verdict.kafka() ? "kafka" : "mongo";
        lines.stream().filter(line -> !line.agrees())
            .forEach(line -> differences.add(source + ", " + line.aggregate() + ": " + line.differences().get(0)));
      }
      return new FaultResult.RecountCheck(false, "DIFFERS: " + differences.subList(0, Math.min(4, differences.size())));
    } catch (RuntimeException e) {
      return new FaultResult.RecountCheck(false, "FAILED: " + e.getMessage());
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

    /** A field of Redis's stats hash, 0 when absent. */
    long redisStat(String field) {
      String value = redis.hget(RedisKeys.STATS, field);
      return value == null ? 0 : Long.parseLong(value);
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
