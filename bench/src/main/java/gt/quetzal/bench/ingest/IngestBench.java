package gt.quetzal.bench.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.bench.ProcStats;
import gt.quetzal.bench.results.BenchResults;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.bench.stack.Infra;
import gt.quetzal.bench.stack.Service;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.ingest.core.KafkaPublisherConfig;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.load.VoteSampler;
import gt.quetzal.proto.v1.Vote;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./quetzal bench ingest}: in one run, against one devstack broker it starts itself,
 * measures Kafka's own producer (the baseline), then each ingest route driven to saturation, and
 * prints one table with every route's rate as a share of the baseline.
 *
 * <p>Everything shares the machine on purpose (broker, services, driver), as the targets
 * assume; the ingest services run in this JVM with their production wiring ({@link InProcessStack}),
 * configured from the environment like in production. Speed is reported, never asserted.
 */
public final class IngestBench {

  private static final int SAMPLE_VOTES = 4_096;
  private static final int DISTINCT_BATCHES = 32;
  /** Issue 19: gRPC streaming and the HTTP batch at 90% of the warmed median ProducerPerformance. */
  static final double TARGET_SHARE = 0.90;
  /** Lines per list of a route's profile report. */
  private static final int PROFILE_LINES = 25;

  private IngestBench() {}

  public static void main(String[] args) throws Exception {
    IngestBenchConfig config = IngestBenchConfig.fromEnv(System.getenv());
    List<Map<String, String>> sample = sample(Catalog.load(config.catalogFile()));
    PrintStream out = System.out;
    BenchResults results = new BenchResults("ingest", System.getenv());
    out.printf(
        Locale.ROOT,
        "quetzal bench ingest: %d cores, Java %s, load average %.2f; each route warmed %d s, then %d s settle + %d s measured%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        ProcStats.loadAverage1m(),
        config.warmupSeconds(),
        config.settleSeconds(),
        config.measureSeconds());

    List<Row> rows = new ArrayList<>();
    // The broker first, alone: the baseline runs before the ingest services exist.
    try (Devstack devstack = Devstack.startEphemeral()) {
      Infra infra = Infra.of(devstack);
      // What the services will read: the caller's environment (KAFKA_LINGER_MS, HTTP_MAX_THREADS, ...).
      KafkaPublisherConfig kafka = IngestHttpConfig.fromEnv(Service.INGEST_HTTP.env(infra, System.getenv())).kafka();
      out.printf(
          Locale.ROOT,
          "broker %s; ingest producer: acks=all, idempotent, linger.ms=%d, batch.size=%d, compression=%s%n",
          infra.bootstrapServers(), kafka.lingerMs(), kafka.batchSizeBytes(), kafka.compressionType());

      Double baseline = null;
      Double baselineCpu = null;
      if (config.runs(IngestBenchConfig.BASELINE)) {
        Row row = baseline(config, infra, kafka, sample, out);
        rows.add(row);
        baseline = row.result().votesPerSec();
        baselineCpu = row.result().cpuUsPerVote();
      }

      try (InProcessStack ingest = InProcessStack.builder()
          .baseEnv(System.getenv())
          .ingestHttp()
          .ingestGrpc()
          .startup(Duration.ofSeconds(60))
          .startOn(infra)) {
        List<Route> routes = routes(config, sample, ingest.ingestHttp().httpPort(), ingest.ingestGrpc().grpcPort());
        // Before the warm-up round: starting JFR costs recompilation (see Profile).
        Profile profile = config.profileDir() == null ? null : Profile.start(config.profileDir());
        // Round one warms every route (JIT, pools, producer) without measuring: on 2 cores the JIT
        // otherwise compiles for a good part of the first measured window.
        Duration warmup = Duration.ofSeconds(config.warmupSeconds());
        if (!warmup.isZero()) {
          for (Route route : routes) {
            out.printf(Locale.ROOT, "%s: warming up for %d s...%n", route.name(), warmup.toSeconds());
            Driver.run(route.factory().create(), new Window(), warmup, Duration.ZERO);
          }
        }
        // Round two measures each route after a short settle.
        for (Route route : routes) {
          rows.add(measure(out, route, Duration.ofSeconds(config.settleSeconds()), Duration.ofSeconds(config.measureSeconds()),
              profile, config.profileDir()));
        }
        if (profile != null) {
          profile.close();
        }
      }

      String table = table(rows, baseline, baselineCpu);
      out.println();
      out.print(table);
      if (config.output() != null) {
        String header =
            "Run " + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + "; every route warmed " + config.warmupSeconds() + " s, then " + config.settleSeconds() + " s settle + "
                + config.measureSeconds() + " s measured.\n\n";
        Files.writeString(config.output(), header + table, StandardCharsets.UTF_8);
        out.println("written to " + config.output());
      }
      results(results, rows).write(config.resultsDir(), out);
    }
  }

  /** A table row; {@code runs} the rates of every measured run when the row is their median (the baseline). */
  record Row(RouteResult result, Double target, List<Double> runs) {
    Row(RouteResult result, Double target) {
      this(result, target, List.of());
    }

    /** The figures for programs: the baseline is the broker's yardstick, the floors are diagnostics. */
    String stage() {
      String route = result.route();
      return route.startsWith("Kafka ProducerPerformance") ? "broker"
          : route.equals(IngestBenchConfig.HTTP_FLOOR) || route.equals(IngestBenchConfig.GRPC_FLOOR) ? "ingest-floor" : "ingest";
    }

    String route() {
      return stage().equals("broker") ? "producer-performance" : result.route();
    }
  }

  /**
   * ingest.json: per route its rate and CPU per vote. The CPU is this whole JVM's (broker, service and
   * driver), so as a cost of the ingest service alone it is an upper bound; the baseline's is the
   * tool's plus the broker's per record.
   */
  static BenchResults results(BenchResults results, List<Row> rows) {
    for (Row row : rows) {
      RouteResult r = row.result();
      ObjectNode o = results.add(row.stage(), row.route());
      BenchResults.putNumber(o, "votesPerSec", r.votesPerSec());
      BenchResults.putNumber(o, "cpuUsPerVote", r.cpuUsPerVote());
      BenchResults.putNumber(o, "p50Ms", r.p50Ms());
      BenchResults.putNumber(o, "p99Ms", r.p99Ms());
      BenchResults.putNumber(o, "otherCores", r.otherCores());
      o.put("failed", r.failures());
      o.put("how", r.note());
      if (!row.runs().isEmpty()) {
        row.runs().forEach(rate -> BenchResults.putNumber(o.withArray("runs").addObject(), "votesPerSec", rate));
      }
    }
    return results;
  }

  /**
   * Kafka's ProducerPerformance: one unmeasured run warms the broker (the routes get a warm-up round
   * too), then {@code baselineRuns} measured runs; the row is the median run (by rate), its CPU per
   * record that run's.
   */
  private static Row baseline(
      IngestBenchConfig config, Infra infra, KafkaPublisherConfig kafka, List<Map<String, String>> sample, PrintStream out)
      throws Exception {
    ProducerBaseline.createTopic(infra.bootstrapServers());
    java.nio.file.Path payloads = ProducerBaseline.writePayloadFile(sample);
    Map<String, Object> producer = kafka.producerProperties();
    if (config.baselineWarmupRecords() > 0) {
      out.printf(Locale.ROOT, "baseline: warming the broker with %,d records (not measured)...%n", config.baselineWarmupRecords());
      ProducerBaseline.run(ProducerBaseline.command(infra.bootstrapServers(), config.baselineWarmupRecords(), producer, payloads), out);
    }
    List<String> command = ProducerBaseline.command(infra.bootstrapServers(), config.baselineRecords(), producer, payloads);
    out.println("baseline: ProducerPerformance " + String.join(" ", command.subList(command.indexOf("--topic"), command.size()))
        + " (" + config.baselineRuns() + " runs, the median counts; the payloads are the routes' votes as ingest writes them)");
    List<RouteResult> runs = new ArrayList<>();
    for (int i = 1; i <= config.baselineRuns(); i++) {
      CpuMeter cpu = CpuMeter.start();
      ProducerBaseline.Summary summary = ProducerBaseline.run(command, out);
      CpuMeter.Usage usage = cpu.stop();
      // CPU per record: the broker (in this JVM) plus the tool (a child JVM, counted once it exited)
      double cpuPerRecord = (usage.processCpuNanos() + usage.childrenCpuNanos()) / 1e3 / config.baselineRecords();
      out.printf(Locale.ROOT, "  run %d: %,.0f records/s, %.1f µs CPU/record%n", i, summary.recordsPerSec(), cpuPerRecord);
      runs.add(new RouteResult(
          "Kafka ProducerPerformance (the routes' records and producer)", summary.recordsPerSec(), summary.p50Ms(), summary.p99Ms(), 0,
          config.baselineRecords() + " records, in its own JVM, after a warm-up; median of " + config.baselineRuns()
              + " runs; CPU = tool + broker",
          cpuPerRecord, usage.otherCores()));
    }
    RouteResult median = medianByRate(runs);
    return new Row(median, null, runs.stream().map(RouteResult::votesPerSec).toList());
  }

  /** The run with the median rate (the lower middle one of an even count): a measured run, not an average. */
  static RouteResult medianByRate(List<RouteResult> runs) {
    List<RouteResult> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(RouteResult::votesPerSec));
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** One route of the run: how to drive it and what it should reach. */
  private record Route(String name, Double target, int votesPerRequest, String note, DriverFactory factory) {}

  @FunctionalInterface
  private interface DriverFactory {
    Driver create();
  }

  private static List<Route> routes(IngestBenchConfig config, List<Map<String, String>> sample, int httpPort, int grpcPort) {
    List<Route> routes = new ArrayList<>();
    if (config.runs(IngestBenchConfig.HTTP_SINGLE)) {
      List<byte[]> requests = new ArrayList<>();
      for (Map<String, String> vote : sample) {
        requests.add(RawHttpConnection.postJson("localhost", httpPort, "/votes", json(vote)));
      }
      routes.add(new Route(IngestBenchConfig.HTTP_SINGLE, null, 1, "POST /votes, " + config.httpConnections() + " keep-alive connections",
          () -> new HttpDriver(httpPort, requests, config.httpConnections(), false)));
    }
    if (config.runs(IngestBenchConfig.HTTP_BATCH)) {
      List<byte[]> requests = new ArrayList<>();
      for (int b = 0; b < DISTINCT_BATCHES; b++) {
        List<Map<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < config.batchSize(); i++) {
          batch.add(sample.get((b * config.batchSize() + i) % sample.size()));
        }
        requests.add(RawHttpConnection.postJson("localhost", httpPort, "/votes/batch", json(batch)));
      }
      routes.add(new Route(IngestBenchConfig.HTTP_BATCH, TARGET_SHARE, config.batchSize(),
          "POST /votes/batch of " + config.batchSize() + ", " + config.batchConnections() + " connections; latency per batch",
          () -> new HttpDriver(httpPort, requests, config.batchConnections(), true)));
    }
    List<Vote> votes = sample.stream().map(IngestBench::proto).toList();
    if (config.runs(IngestBenchConfig.GRPC_UNARY)) {
      routes.add(new Route(IngestBenchConfig.GRPC_UNARY, null, 1,
          "Cast, " + config.unaryConcurrency() + " in flight over " + config.grpcChannels() + " connections",
          () -> new WithChannels(grpcPort, config.grpcChannels(), channels -> GrpcUnaryDriver.cast(channels, votes, config.unaryConcurrency()))));
    }
    if (config.runs(IngestBenchConfig.GRPC_STREAM)) {
      int inFlight = GrpcStreamDriver.messagesInFlight(config.streamWindow(), config.streamBatch());
      routes.add(new Route(IngestBenchConfig.GRPC_STREAM, TARGET_SHARE, config.streamBatch(),
          "CastStream, " + config.streams() + " streams x " + inFlight + " un-acked messages of " + config.streamBatch()
              + " votes; latency per message",
          () -> new WithChannels(grpcPort, config.grpcChannels(),
              channels -> new GrpcStreamDriver(channels, votes, config.streams(), config.streamWindow(), config.streamBatch()))));
    }
    if (config.runs(IngestBenchConfig.GRPC_STREAM_ONE)) {
      int window = IngestBenchConfig.STREAM_ONE_WINDOW;
      routes.add(new Route(IngestBenchConfig.GRPC_STREAM_ONE, null, 1,
          "CastStream, " + config.streams() + " streams x " + window + " un-acked messages of 1 vote",
          () -> new WithChannels(grpcPort, config.grpcChannels(),
              channels -> new GrpcStreamDriver(channels, votes, config.streams(), window, 1))));
    }
    if (config.runs(IngestBenchConfig.HTTP_FLOOR)) {
      List<byte[]> requests = List.of(HttpDriver.get("localhost", httpPort, "/healthz"));
      routes.add(new Route(IngestBenchConfig.HTTP_FLOOR, null, 1,
          "GET /healthz (no Kafka), " + config.httpConnections() + " keep-alive connections; requests/s",
          () -> new HttpDriver(httpPort, requests, config.httpConnections(), false, 200)));
    }
    if (config.runs(IngestBenchConfig.GRPC_FLOOR)) {
      routes.add(new Route(IngestBenchConfig.GRPC_FLOOR, null, 1,
          "Health/Check (no Kafka), " + config.unaryConcurrency() + " in flight; requests/s",
          () -> new WithChannels(grpcPort, config.grpcChannels(), channels -> GrpcUnaryDriver.healthCheck(channels, config.unaryConcurrency()))));
    }
    return routes;
  }

  /** A gRPC driver on its own channels, opened when it starts and closed when it finishes. */
  private static final class WithChannels implements Driver {
    private final int port;
    private final int count;
    private final java.util.function.Function<GrpcChannels, Driver> make;
    private GrpcChannels channels;
    private Driver inner;

    WithChannels(int port, int count, java.util.function.Function<GrpcChannels, Driver> make) {
      this.port = port;
      this.count = count;
      this.make = make;
    }

    @Override
    public void start(Window window) throws Exception {
      channels = new GrpcChannels(port, count);
      inner = make.apply(channels);
      inner.start(window);
    }

    @Override
    public void finish(Duration timeout) throws Exception {
      try {
        inner.finish(timeout);
      } finally {
        channels.close();
      }
    }
  }

  private static Row measure(PrintStream out, Route route, Duration settle, Duration measure, Profile profile, java.nio.file.Path profileDir)
      throws Exception {
    out.printf(Locale.ROOT, "%s: measuring (%s)...%n", route.name(), route.note());
    Window window = new Window(profile, route.name());
    Driver.run(route.factory().create(), window, settle, measure);
    RouteResult result = RouteResult.of(route.name(), window, route.votesPerRequest(), route.note());
    out.println("  CPU by thread group (cores): " + window.threadReport());
    if (window.profileShares() != null) {
      out.printf(Locale.ROOT, "  JFR profile of the measured window (%s/%s.jfr), %,d CPU samples:%n%s%n",
          profileDir, route.name(), window.profileShares().total(), window.profileShares().report(PROFILE_LINES));
    }
    out.printf(
        Locale.ROOT, "%s: %,.0f votes/s, p50 %.2f ms, p99 %.2f ms, %d failed, %.1f µs CPU/vote, other processes %.2f cores%n",
        route.name(), result.votesPerSec(), result.p50Ms(), result.p99Ms(), result.failures(), result.cpuUsPerVote(), result.otherCores());
    return new Row(result, route.target());
  }

  /**
   * The result table in Markdown, so it can go into docs/benchmarks.md as printed. "share per
   * CPU" is the baseline's CPU per record over the route's CPU per vote: the share the route would
   * reach if both had the machine to themselves, which is steadier than the rate share when other
   * processes take part of a shared machine during one route and not another.
   */
  static String table(List<Row> rows, Double baseline, Double baselineCpu) {
    StringBuilder t = new StringBuilder();
    t.append("| route | votes/s | p50 ms | p99 ms | share of baseline | target | met | share per CPU | CPU µs/vote | other procs (cores) | failed | how |\n");
    t.append("|---|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---|\n");
    for (Row row : rows) {
      RouteResult r = row.result();
      String share = baseline == null ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * r.votesPerSec() / baseline);
      String target = row.target() == null ? "" : String.format(Locale.ROOT, "≥ %.0f%%", 100 * row.target());
      String met =
          row.target() == null || baseline == null ? "" : r.votesPerSec() >= row.target() * baseline ? "yes" : "no";
      String perCpu =
          baselineCpu == null || Double.isNaN(r.cpuUsPerVote())
              ? ""
              : String.format(Locale.ROOT, "%.0f%%", 100 * baselineCpu / r.cpuUsPerVote());
      t.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %d | %s |%n",
              r.route(), r.votesPerSec(), r.p50Ms(), r.p99Ms(), share, target, met, perCpu,
              Double.isNaN(r.cpuUsPerVote()) ? "" : String.format(Locale.ROOT, "%.1f", r.cpuUsPerVote()),
              Double.isNaN(r.otherCores()) ? "" : String.format(Locale.ROOT, "%.2f", r.otherCores()),
              r.failures(),
              r.note()));
    }
    return t.toString();
  }

  private static List<Map<String, String>> sample(Catalog catalog) {
    VoteSampler sampler = new VoteSampler(catalog, 1.0, new Random(42));
    List<Map<String, String>> votes = new ArrayList<>(SAMPLE_VOTES);
    for (int i = 0; i < SAMPLE_VOTES; i++) {
      votes.add(sampler.next());
    }
    return votes;
  }

  private static Vote proto(Map<String, String> vote) {
    return Vote.newBuilder()
        .setName(vote.get("name"))
        .setAlbum(vote.get("album"))
        .setYear(Integer.parseInt(vote.get("year")))
        .setRank(Integer.parseInt(vote.get("rank")))
        .build();
  }

  private static byte[] json(Object value) {
    try {
      return Json.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
