package gt.quetzal.bench.sinks;

import gt.quetzal.bench.BenchEnv;
import gt.quetzal.bench.results.ResultsDir;
import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of {@code ./quetzal bench sinks}.
 *
 * @param votes            {@code BENCH_SINKS_VOTES}, default 1 000 000: votes each design processes
 * @param freshnessRate    {@code BENCH_SINKS_FRESHNESS_RATE}, default 5000 votes/s, held steady
 * @param freshnessSeconds {@code BENCH_SINKS_FRESHNESS_SECONDS}, default 30
 * @param probeEveryMs     {@code BENCH_SINKS_PROBE_EVERY_MS}, default 10: one vote of the probe band this often
 * @param timeoutSeconds   {@code BENCH_SINKS_TIMEOUT_SECONDS}, default 1800: give up on a phase after this
 * @param catalogFile      {@code CATALOG_FILE}, default {@code config/catalog.json}: where votes come from
 * @param resultsDir       {@code BENCH_RESULTS_DIR}, default {@code .quetzal/bench-results}: where {@code sinks.json} goes
 */
public record SinksBenchConfig(
    int votes, int freshnessRate, int freshnessSeconds, int probeEveryMs, int timeoutSeconds, Path catalogFile, Path resultsDir) {

  public static SinksBenchConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    SinksBenchConfig config = new SinksBenchConfig(
        env.integer("BENCH_SINKS_VOTES", 1_000_000, 1_000, 100_000_000),
        env.integer("BENCH_SINKS_FRESHNESS_RATE", 5_000, 100, 1_000_000),
        env.integer("BENCH_SINKS_FRESHNESS_SECONDS", 30, 5, 3_600),
        env.integer("BENCH_SINKS_PROBE_EVERY_MS", 10, 1, 10_000),
        env.integer("BENCH_SINKS_TIMEOUT_SECONDS", 1_800, 10, 86_400),
        BenchEnv.catalogFile(env, false),
        ResultsDir.from(env));
    env.validate("bench-sinks");
    return config;
  }
}
