package gt.quetzal.bench.ingest;

import gt.quetzal.bench.BenchEnv;
import gt.quetzal.bench.results.ResultsDir;
import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code ./quetzal bench ingest} runs, from the environment. The ingest services themselves
 * read their usual variables ({@code KAFKA_LINGER_MS}, {@code HTTP_MAX_THREADS}, ...) from the same
 * environment, so a tuning experiment is one variable away.
 *
 * @param warmupSeconds      {@code BENCH_WARMUP_SECONDS}, default 10: each route is first driven this
 *                           long, unmeasured, in a warm-up round over all routes (JIT, pools)
 * @param settleSeconds      {@code BENCH_SETTLE_SECONDS}, default 3: unmeasured lead-in of each
 *                           route in the measured round
 * @param measureSeconds     {@code BENCH_SECONDS}, default 15: the measured window per route
 * @param baselineRecords    {@code BENCH_BASELINE_RECORDS}, default 4,000,000 records (the routes' votes)
 * @param baselineRuns       {@code BENCH_BASELINE_RUNS}, default 3: measured ProducerPerformance runs,
 *                           the median is the baseline (their spread is about ±30%)
 * @param baselineWarmupRecords {@code BENCH_BASELINE_WARMUP_RECORDS}, default 1,000,000: one unmeasured
 *                           run first, so the broker is warm as it is for the routes (0: none)
 * @param httpConnections    {@code BENCH_HTTP_CONNECTIONS}, default 512 keep-alive connections, one
 *                           request in flight on each: each waits ~6 ms for Kafka's ack (linger 5 ms),
 *                           so fewer leave the server idle and measure the driver (docs/benchmarks.md)
 * @param batchSize          {@code BENCH_BATCH_SIZE}, default 1000 votes per POST /votes/batch
 * @param batchConnections   {@code BENCH_BATCH_CONNECTIONS}, default 4
 * @param grpcChannels       {@code BENCH_GRPC_CHANNELS}, default 2 HTTP/2 connections
 * @param unaryConcurrency   {@code BENCH_GRPC_UNARY_CONCURRENCY}, default 256 Cast calls in flight
 * @param streams            {@code BENCH_GRPC_STREAMS}, default 4 CastStream calls
 * @param streamWindow       {@code BENCH_GRPC_STREAM_WINDOW}, default 2000 un-acked votes per stream
 *                           (whole messages of {@code streamBatch}; at least one message)
 * @param streamBatch        {@code BENCH_GRPC_STREAM_BATCH}, default 500 votes per CastStream message
 *                           (at most the server's GRPC_STREAM_MAX_VOTES_PER_MESSAGE, default 1000)
 * @param routes             {@code BENCH_ROUTES}, default {@link #ALL_ROUTES} (a comma list)
 * @param catalogFile        {@code CATALOG_FILE}, default {@code config/catalog.json}: where votes come from
 * @param output             {@code BENCH_OUTPUT}: also write the table (markdown) here; unset: no file
 * @param resultsDir         {@code BENCH_RESULTS_DIR}, default {@code .quetzal/bench-results}: where
 *                           {@code ingest.json} (the results for programs) goes
 * @param profileDir         {@code BENCH_PROFILE_DIR}: when set, each route's measured window is recorded
 *                           with JFR ({@code profile} settings) into {@code <dir>/<route>.jfr} and the
 *                           shares of its CPU samples are printed; unset: no profile
 */
public record IngestBenchConfig(
    int warmupSeconds,
    int settleSeconds,
    int measureSeconds,
    long baselineRecords,
    int baselineRuns,
    long baselineWarmupRecords,
    int httpConnections,
    int batchSize,
    int batchConnections,
    int grpcChannels,
    int unaryConcurrency,
    int streams,
    int streamWindow,
    int streamBatch,
    List<String> routes,
    Path catalogFile,
    Path output,
    Path resultsDir,
    Path profileDir) {

  public static final String BASELINE = "baseline";
  public static final String HTTP_SINGLE = "http-single";
  public static final String HTTP_BATCH = "http-batch";
  public static final String GRPC_UNARY = "grpc-unary";
  public static final String GRPC_STREAM = "grpc-stream";
  /**
   * CastStream with one vote per message, next to {@link #GRPC_STREAM}'s runs of votes: what a client that
   * streams votes one by one gets ({@link #STREAM_ONE_WINDOW} un-acked messages per stream, the server's
   * default GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES).
   */
  public static final String GRPC_STREAM_ONE = "grpc-stream-1";
  public static final int STREAM_ONE_WINDOW = 16;
  /**
   * Diagnostics: the same drivers on a trivial endpoint without Kafka ({@code GET /healthz},
   * {@code grpc.health.v1.Health/Check}), to show what the transport alone costs on this machine.
   */
  public static final String HTTP_FLOOR = "http-floor";
  public static final String GRPC_FLOOR = "grpc-floor";
  public static final List<String> ALL_ROUTES =
      List.of(BASELINE, HTTP_SINGLE, HTTP_BATCH, GRPC_UNARY, GRPC_STREAM, GRPC_STREAM_ONE, HTTP_FLOOR, GRPC_FLOOR);
  private static final List<String> KNOWN_ROUTES = ALL_ROUTES;

  public IngestBenchConfig {
    routes = List.copyOf(routes);
  }

  public static IngestBenchConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    int warmup = env.integer("BENCH_WARMUP_SECONDS", 10, 0, 600);
    int settle = env.integer("BENCH_SETTLE_SECONDS", 3, 0, 600);
    int measure = env.integer("BENCH_SECONDS", 15, 1, 3_600);
    long records = env.longValue("BENCH_BASELINE_RECORDS", 4_000_000, 1_000, 1_000_000_000);
    int baselineRuns = env.integer("BENCH_BASELINE_RUNS", 3, 1, 15);
    long baselineWarmup = env.longValue("BENCH_BASELINE_WARMUP_RECORDS", 1_000_000, 0, 1_000_000_000);
    int connections = env.integer("BENCH_HTTP_CONNECTIONS", 512, 1, 10_000);
    int batchSize = env.integer("BENCH_BATCH_SIZE", 1_000, 1, 100_000);
    int batchConnections = env.integer("BENCH_BATCH_CONNECTIONS", 4, 1, 1_000);
    int channels = env.integer("BENCH_GRPC_CHANNELS", 2, 1, 64);
    int unary = env.integer("BENCH_GRPC_UNARY_CONCURRENCY", 256, 1, 100_000);
    int streams = env.integer("BENCH_GRPC_STREAMS", 4, 1, 1_000);
    int window = env.integer("BENCH_GRPC_STREAM_WINDOW", 2_000, 1, 10_000_000);
    int streamBatch = env.integer("BENCH_GRPC_STREAM_BATCH", 500, 1, GrpcStreamDriver.MAX_BATCH);
    if (window < streamBatch) {
      env.problem("BENCH_GRPC_STREAM_WINDOW (" + window + ") must be at least BENCH_GRPC_STREAM_BATCH (" + streamBatch + ")");
    } else if (window / streamBatch > GrpcStreamDriver.MAX_MESSAGES_IN_FLIGHT) {
      env.problem("BENCH_GRPC_STREAM_WINDOW / BENCH_GRPC_STREAM_BATCH must be at most " + GrpcStreamDriver.MAX_MESSAGES_IN_FLIGHT);
    }
    String routeList = env.string("BENCH_ROUTES", String.join(",", ALL_ROUTES));
    List<String> routes = Arrays.stream(routeList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    Set<String> known = Set.copyOf(KNOWN_ROUTES);
    for (String route : routes) {
      if (!known.contains(route)) {
        env.problem("BENCH_ROUTES has unknown route '" + route + "' (known: " + String.join(", ", KNOWN_ROUTES) + ")");
      }
    }
    Path catalog = BenchEnv.catalogFile(env, false);
    String output = env.optional("BENCH_OUTPUT");
    Path results = ResultsDir.from(env);
    String profile = env.optional("BENCH_PROFILE_DIR");
    env.validate("bench");
    return new IngestBenchConfig(
        warmup, settle, measure, records, baselineRuns, baselineWarmup, connections, batchSize, batchConnections, channels, unary, streams, window, streamBatch, routes,
        catalog, output == null ? null : Path.of(output), results, profile == null ? null : Path.of(profile));
  }

  public boolean runs(String route) {
    return routes.contains(route);
  }
}
