package gt.quetzal.load;

import gt.quetzal.kit.EnvReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** What the demo driver needs; every variable has a local-stack default. */
public record DemoConfig(
    URI ingestUrl, URI redisUrl, int votesPerSecond, int maxInFlight, Path catalogFile, long seed) {

  public static DemoConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    DemoConfig config =
        new DemoConfig(
            env.uri("INGEST_URL", "http://localhost:8080", "http", "https"),
            env.uri("REDIS_URL", "redis://localhost:6379", "redis", "rediss"),
            env.integer("DEMO_VOTES_PER_SECOND", 50, 1, 100_000),
            env.integer("DEMO_MAX_IN_FLIGHT", 256, 1, 10_000),
            Path.of(env.string("CATALOG_FILE", "config/catalog.json")),
            env.longValue("DEMO_SEED", System.nanoTime(), Long.MIN_VALUE, Long.MAX_VALUE));
    env.validate("demo");
    return config;
  }
}
