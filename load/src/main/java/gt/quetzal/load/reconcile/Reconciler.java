package gt.quetzal.load.reconcile;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.Stats;
import gt.quetzal.load.recount.RecountConfig;
import gt.quetzal.load.recount.RecountMain;
import gt.quetzal.load.recount.RecountReport;
import gt.quetzal.load.traffic.TrafficFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Judges a load run: did the pipeline count exactly what ingest accepted, no more, no less?
 *
 * <ol>
 *   <li>{@link #snapshot()} before the run: the streams app's stats, the Redis stats and band totals,
 *       the sizes of the MongoDB collections;
 *   <li>Locust sends, each process logging every vote's voteId and outcome ({@link RunLog});
 *   <li>{@link #reconcile} derives what the pipeline must now show ({@link Expectation}), waits
 *       (bounded) until it does or stops changing, then compares: the streams app's stats, the Redis
 *       mirror of them and of the band totals, the MongoDB documents of the run's voteIds; and
 *       prints PASS, or FAIL with every difference, followed by the HTTP-versus-gRPC table.
 * </ol>
 *
 * <p>The deltas assume nothing else votes during the run; the MongoDB checks by voteId do not.
 */
public final class Reconciler {

  private final Pipeline pipeline;
  private final VoteClassifier classifier;
  private final ReconcileConfig.Settle settle;
  private final LongSupplier clock;

  public Reconciler(Pipeline pipeline, VoteClassifier classifier, ReconcileConfig.Settle settle) {
    this(pipeline, classifier, settle, System::currentTimeMillis);
  }

  Reconciler(Pipeline pipeline, VoteClassifier classifier, ReconcileConfig.Settle settle, LongSupplier clock) {
    this.pipeline = pipeline;
    this.classifier = classifier;
    this.settle = settle;
    this.clock = clock;
  }

  public PipelineState snapshot() {
    return pipeline.state();
  }

  public Report reconcile(RunLog log, List<Map<String, String>> traffic, PipelineState before) {
    Expectation expected = Expectation.of(log, traffic, classifier);
    long started = clock.getAsLong();
    Settled settled = awaitSettled(expected, before);
    long settleMillis = clock.getAsLong() - started;

    List<Check> checks = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    long sent = log.sends().size();
    checks.add(new Check("votes sent", "> 0", String.format("%,d", sent), sent > 0));
    checks.add(
        new Check(
            "outcome log complete",
            "no problems",
            log.problems().isEmpty() ? "none" : String.join(" | ", log.problems()),
            log.problems().isEmpty()));
    if (settled.state == null) {
      checks.add(new Check("pipeline reachable", "an answer", String.valueOf(settled.error), false));
    } else {
      checks.addAll(liveChecks(expected, settled.state.minus(before)));
      checks.addAll(storedChecks(expected, log.runIds()));
      if (settled.error != null) {
        notes.add("the last look at the pipeline failed: " + settled.error);
      }
    }

    Map<Send.Outcome, Long> outcomes = log.outcomes();
    long unanswered = outcomes.get(Send.Outcome.FAILED) + outcomes.get(Send.Outcome.UNFINISHED);
    if (unanswered > 0) {
      notes.add(
          String.format(
              "%,d votes got no final answer (failed after retries or cut off); the pipeline may or may not"
                  + " have them, and the expected ranges allow for both",
              unanswered));
    }
    if (!settled.matched) {
      notes.add(
          "the pipeline did not reach the expected state within the settle limits ("
              + (settled.quiet ? "no change for " + settle.quiet().toSeconds() + " s" : "timeout " + settle.timeout().toSeconds() + " s")
              + "); if anything else sent votes during the run, the deltas include them");
    }
    return new Report(log.runIds(), outcomes, checks, notes, RouteStats.of(log), settled.matched || settled.quiet, settleMillis);
  }

  /** The checks on counters, usable while waiting: all must hold once the pipeline caught up. */
  static List<Check> liveChecks(Expectation e, PipelineState d) {
    List<Check> checks = new ArrayList<>();
    Set<String> statKeys = new TreeSet<>(e.stats().keySet());
    statKeys.addAll(d.streamsStats().keySet());
    for (String key : statKeys) {
      checks.add(Check.range("streams stats " + key, e.stat(key), value(d.streamsStats(), key)));
    }
    long verdicts =
        value(d.streamsStats(), Stats.ACCEPTED) + value(d.streamsStats(), Stats.DUPLICATES) + value(d.streamsStats(), Stats.REJECTED);
    checks.add(Check.range("streams verdicts = votes ingest accepted", e.verdicts(), verdicts));

    Set<String> mirrored = new TreeSet<>(statKeys);
    mirrored.addAll(d.redisStats().keySet());
    for (String key : mirrored) {
      checks.add(Check.equal("redis stats " + key + " = streams", value(d.streamsStats(), key), value(d.redisStats(), key)));
    }
    Set<String> bands = new TreeSet<>(e.bands().keySet());
    bands.addAll(d.redisBands().keySet());
    long bandSum = 0;
    for (String band : bands) {
      long delta = value(d.redisBands(), band);
      bandSum += delta;
      checks.add(Check.range("redis band " + band, e.band(band), delta));
    }
    checks.add(Check.equal("redis band totals = streams accepted", value(d.streamsStats(), Stats.ACCEPTED), bandSum));
    checks.add(Check.range("mongo votes added", e.stat(Stats.ACCEPTED), d.mongoVotes()));
    checks.add(Check.range("mongo rejected added", e.stat(Stats.REJECTED), d.mongoRejected()));
    return checks;
  }

  /** The checks by voteId, run once at the end (they read every document of the run). */
  private List<Check> storedChecks(Expectation e, Set<String> runIds) {
    List<Check> checks = new ArrayList<>();
    Set<String> stored;
    Map<String, Long> rejected;
    try {
      stored = pipeline.storedVoteIds(runIds);
      rejected = pipeline.rejectedVoteIds(runIds);
    } catch (RuntimeException ex) {
      checks.add(new Check("mongo documents of this run", "readable", ex.toString(), false));
      return checks;
    }
    Set<String> missing = new TreeSet<>(e.mustBeStored());
    missing.removeAll(stored);
    Set<String> unexpected = new TreeSet<>(stored);
    unexpected.removeAll(e.mayBeStored());
    String expected =
        e.mustBeStored().size() == e.mayBeStored().size()
            ? String.format("%,d ids", e.mustBeStored().size())
            : String.format("%,d..%,d ids", e.mustBeStored().size(), e.mayBeStored().size());
    checks.add(
        new Check(
            "mongo votes of this run (by voteId)",
            expected,
            String.format("%,d stored, %,d missing%s, %,d unexpected%s", stored.size(), missing.size(), sample(missing), unexpected.size(), sample(unexpected)),
            missing.isEmpty() && unexpected.isEmpty()));

    Set<String> lost = new TreeSet<>(e.acceptedIds());
    lost.removeAll(stored);
    lost.removeAll(rejected.keySet());
    checks.add(
        new Check(
            "every vote ingest accepted is in mongo",
            "0 missing",
            String.format("%,d missing%s", lost.size(), sample(lost)),
            lost.isEmpty()));
    long rejections = rejected.values().stream().mapToLong(Long::longValue).sum();
    checks.add(Check.range("mongo rejections of this run", e.stat(Stats.REJECTED), rejections));
    return checks;
  }

  private static String sample(Set<String> ids) {
    if (ids.isEmpty()) {
      return "";
    }
    return " " + ids.stream().limit(3).toList() + (ids.size() > 3 ? "…" : "");
  }

  private static long value(Map<String, Long> map, String key) {
    return map.getOrDefault(key, 0L);
  }

  /** The pipeline's last observed state and why the wait ended. */
  private record Settled(PipelineState state, boolean matched, boolean quiet, String error) {}

  /**
   * Looks at the pipeline every {@code interval} until the counters match the expectation, or have not
   * changed for {@code quiet} (a lost or extra vote never shows up, so waiting longer is pointless),
   * or {@code timeout} passed. A store that fails to answer is retried until then.
   */
  private Settled awaitSettled(Expectation expected, PipelineState before) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "reconcile-settle");
              t.setDaemon(true);
              return t;
            });
    Watch watch = new Watch(expected, before);
    scheduler.scheduleWithFixedDelay(watch::look, 0, settle.interval().toMillis(), TimeUnit.MILLISECONDS);
    try {
      return watch.done.get(settle.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return watch.lastSeen();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the pipeline", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      scheduler.shutdownNow();
    }
  }

  /** One look at the pipeline per tick, from the scheduler's single thread. */
  private final class Watch {
    final CompletableFuture<Settled> done = new CompletableFuture<>();
    private final Expectation expected;
    private final PipelineState before;
    private PipelineState last;
    private String lastError;
    private long lastChange = clock.getAsLong();

    Watch(Expectation expected, PipelineState before) {
      this.expected = expected;
      this.before = before;
    }

    synchronized void look() {
      PipelineState now;
      try {
        now = pipeline.state();
      } catch (RuntimeException e) {
        lastError = e.getMessage();
        return;
      }
      lastError = null;
      if (!now.equals(last)) {
        last = now;
        lastChange = clock.getAsLong();
      }
      if (liveChecks(expected, now.minus(before)).stream().allMatch(Check::ok)) {
        done.complete(new Settled(now, true, false, null));
      } else if (clock.getAsLong() - lastChange >= settle.quiet().toMillis()) {
        done.complete(new Settled(now, false, true, null));
      }
    }

    synchronized Settled lastSeen() {
      return new Settled(last, false, false, lastError);
    }
  }

  // ---- command line ------------------------------------------------------------------------------

  static final String USAGE =
      """
      Usage: Reconciler snapshot BEFORE.json
             Reconciler verify RUN_DIR TRAFFIC.json BEFORE.json
      snapshot records the pipeline's counters before a run; verify compares the run's outcome log
      (RUN_DIR/outcomes-*.csv from load/locust/locustfile.py) with the pipeline, prints PASS or FAIL
      and the HTTP vs gRPC table, writes RUN_DIR/report.txt, and exits 0 on PASS, 1 on FAIL.
      verify also recounts the whole vote log against Redis (KAFKA_BOOTSTRAP_SERVERS; RECOUNT=skip leaves it out).
      Environment: STREAMS_URL, REDIS_URL, MONGO_URI, CATALOG_FILE (or none), SETTLE_TIMEOUT_MS, SETTLE_QUIET_MS.
      """;

  public static void main(String[] args) {
    System.exit(run(args, System.getenv()));
  }

  static int run(String[] args, Map<String, String> env) {
    boolean snapshot = args.length == 2 && args[0].equals("snapshot");
    boolean verify = args.length == 4 && args[0].equals("verify");
    if (!snapshot && !verify) {
      System.err.print(USAGE);
      return 2;
    }
    ReconcileConfig config;
    VoteClassifier classifier;
    try {
      config = ReconcileConfig.fromEnv(env);
      classifier =
          config.catalogFile() == null ? VoteClassifier.withoutCatalog() : VoteClassifier.of(Catalog.load(config.catalogFile()));
    } catch (IllegalArgumentException | UncheckedIOException e) { // ConfigException is an IllegalArgumentException
      System.err.println("reconcile: " + e.getMessage());
      return 2;
    }
    try (LivePipeline pipeline = LivePipeline.connect(config.streamsUrl(), config.redisUrl(), config.mongoUri())) {
      Reconciler reconciler = new Reconciler(pipeline, classifier, config.settle());
      if (snapshot) {
        PipelineState state;
        try {
          state = reconciler.snapshot();
        } catch (Pipeline.PipelineException e) {
          System.err.println("reconcile: cannot take the before-snapshot: " + e.getMessage());
          return 2;
        }
        write(Path.of(args[1]), Json.MAPPER.writeValueAsBytes(state));
        return 0;
      }
      Path runDir = Path.of(args[1]);
      List<Map<String, String>> traffic = TrafficFile.read(Path.of(args[2]));
      PipelineState before = Json.MAPPER.readValue(Files.readAllBytes(Path.of(args[3])), PipelineState.class);
      Report report = reconciler.reconcile(RunLog.read(runDir), traffic, before);
      String text = report.render() + recount(env);
      System.out.print(text);
      write(runDir.resolve("report.txt"), text.getBytes(StandardCharsets.UTF_8));
      return report.passed() && text.endsWith(RecountReport.AGREE) ? 0 : 1;
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      System.err.println("reconcile: " + e.getMessage());
      return 2;
    }
  }

  /**
   * The whole log recounted and held against Redis (docs/reliability.md): a lost and a doubled vote in
   * one band cancel out in the deltas above, not there. RECOUNT=skip leaves it out (a stack whose Kafka
   * this machine cannot reach), and the verdict then rests on the deltas alone.
   */
  private static String recount(Map<String, String> env) {
    if ("skip".equals(env.get("RECOUNT"))) {
      return "\nRecount skipped (RECOUNT=skip)\n" + RecountReport.AGREE;
    }
    try {
      return "\nRecount of the whole vote log (./quetzal recount):\n"
          + RecountReport.render(RecountMain.recount(RecountConfig.fromEnv(env)));
    } catch (RuntimeException e) {
      return "\nRecount failed: " + e.getMessage() + "\n";
    }
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
