package gt.quetzal.load.reconcile;

import gt.quetzal.kit.EnvReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where the reconciler looks and how long it waits; every variable has a local-stack default.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>STREAMS_URL</td><td>http://localhost:8081</td><td>the streams app (its {@code /api/stats})</td></tr>
 *   <tr><td>REDIS_URL</td><td>redis://localhost:6379</td><td>the sinks' Redis mirror</td></tr>
 *   <tr><td>MONGO_URI</td><td>mongodb://localhost:27017</td><td>the vote log</td></tr>
 *   <tr><td>CATALOG_FILE</td><td>config/catalog.json</td><td>the catalog the streams app runs with;
 *       {@code none} when it runs without one</td></tr>
 *   <tr><td>SETTLE_TIMEOUT_MS</td><td>120000</td><td>longest wait for the pipeline to catch up</td></tr>
 *   <tr><td>SETTLE_QUIET_MS</td><td>15000</td><td>stop waiting early when nothing changed this long</td></tr>
 * </table>
 *
 * @param catalogFile {@code null} when the streams app runs without a catalog
 */
public record ReconcileConfig(
    URI streamsUrl, URI redisUrl, String mongoUri, Path catalogFile, Settle settle) {

  /** How the reconciler waits for the pipeline: bounded, checking every {@code interval}. */
  public record Settle(Duration timeout, Duration quiet, Duration interval) {
    public static final Settle DEFAULT = new Settle(Duration.ofMinutes(2), Duration.ofSeconds(15), Duration.ofMillis(500));
  }

  public static ReconcileConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    URI streams = env.uri("STREAMS_URL", "http://localhost:8081", "http", "https");
    URI redis = env.uri("REDIS_URL", "redis://localhost:6379", "redis", "rediss");
    URI mongo = env.uri("MONGO_URI", "mongodb://localhost:27017", "mongodb", "mongodb+srv");
    String catalog = env.string("CATALOG_FILE", "config/catalog.json");
    long timeout = env.longValue("SETTLE_TIMEOUT_MS", Settle.DEFAULT.timeout().toMillis(), 1, 3_600_000);
    long quiet = env.longValue("SETTLE_QUIET_MS", Settle.DEFAULT.quiet().toMillis(), 1, 3_600_000);
    env.validate("reconciler");
    return new ReconcileConfig(
        streams,
        redis,
        mongo.toString(),
        catalog.equalsIgnoreCase("none") ? null : Path.of(catalog),
        new Settle(Duration.ofMillis(timeout), Duration.ofMillis(quiet), Settle.DEFAULT.interval()));
  }
}
