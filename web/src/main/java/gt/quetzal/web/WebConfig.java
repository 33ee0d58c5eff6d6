package gt.quetzal.web;

import gt.quetzal.kit.EnvReader;
import gt.quetzal.kit.MongoStore;
import gt.quetzal.kit.Redact;
import gt.quetzal.kit.RedisStore;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The web app's settings: {@code REDIS_URL} (default redis://localhost:6379; credentials and
 * {@code rediss://} TLS allowed), {@code MONGO_URI} (default mongodb://localhost:27017),
 * {@code HTTP_PORT} (default 8088, 0 = any free port) and {@code OPS_PORT} (unset by default).
 *
 * <p>Read once by {@link #fromEnv}, which gives every component a value or fails naming the variable.
 * The defaults are for a developer's machine only (no credentials, localhost). {@code OPS_PORT}, when
 * set, moves {@code /metrics}, {@code /healthz} and {@code /readyz} to a port of their own that the
 * Ingress does not route, so the public port serves only the page and its API; unset, everything is
 * on {@code HTTP_PORT} as before (0 = any free port, as for {@code HTTP_PORT}).
 *
 * <p>The live page's caps ({@link SseLimits}): {@code SSE_MAX_PER_ADDRESS} (default 8, 1..10000) open
 * streams per client address, {@code SSE_MAX_CLIENTS} (default 500, 1..100000) in total, and
 * {@code SSE_WRITE_TIMEOUT_MS} (default 5000, 100..60000) before a page that stopped reading is cut off.
 */
public record WebConfig(URI redisUrl, String mongoUri, int httpPort, OptionalInt opsPort, SseLimits sse) {

  public static final String SERVICE = "quetzal-web";

  public static WebConfig fromEnv(Map<String, String> environment) {
    return fromEnv(new EnvReader(environment));
  }

  /** The same, through a reader the caller keeps, so deployment checks can see which variables were read. */
  public static WebConfig fromEnv(EnvReader env) {
    URI redis = RedisStore.url(env);
    String mongo = MongoStore.uri(env);
    int port = env.port("HTTP_PORT", 8088);
    OptionalInt ops =
        env.optional("OPS_PORT") == null ? OptionalInt.empty() : OptionalInt.of(env.port("OPS_PORT", 0));
    if (ops.isPresent() && ops.getAsInt() != 0 && ops.getAsInt() == port) {
      env.problem("OPS_PORT=" + ops.getAsInt() + " must differ from HTTP_PORT (it exists to keep /metrics off the public port)");
    }
    int perAddress = env.integer("SSE_MAX_PER_ADDRESS", SseLimits.DEFAULT_MAX_PER_ADDRESS, 1, 10_000);
    int maxClients = env.integer("SSE_MAX_CLIENTS", SseLimits.DEFAULT_MAX_CLIENTS, 1, 100_000);
    long writeTimeout =
        env.longValue("SSE_WRITE_TIMEOUT_MS", SseLimits.DEFAULT_WRITE_TIMEOUT.toMillis(), 100, 60_000);
    env.validate(SERVICE);
    return new WebConfig(
        redis, mongo, port, ops, new SseLimits(perAddress, maxClients, Duration.ofMillis(writeTimeout)));
  }

  /** Credentials in either URI never reach a log line. */
  @Override
  public String toString() {
    return "WebConfig[redisUrl=" + Redact.uri(redisUrl.toString())
        + ", mongoUri=" + Redact.uri(mongoUri)
        + ", httpPort=" + httpPort
        + ", opsPort=" + (opsPort.isPresent() ? opsPort.getAsInt() : "none (metrics on httpPort)")
        + ", sse=" + sse + "]";
  }
}
