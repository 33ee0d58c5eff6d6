package gt.quetzal.sinks;

import com.mongodb.WriteConcern;
import gt.quetzal.kit.EnvReader;
import gt.quetzal.kit.MongoStore;
import gt.quetzal.kit.Redact;
import gt.quetzal.kit.RedisStore;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The sinks' settings, read once from the environment by {@link #fromEnv}, which gives every component a
 * value or fails naming the variable. The defaults are for a developer's machine only (localhost, no
 * credentials); on Kubernetes the store URLs are composed from Secrets.
 *
 * <table>
 *   <caption>Environment</caption>
 *   <tr><td>KAFKA_BOOTSTRAP_SERVERS</td><td>localhost:9092</td></tr>
 *   <tr><td>REDIS_URL</td><td>redis://localhost:6379 (dev only) — {@code redis://:password@host} (requirepass),
 *       {@code redis://user:password@host} (ACL user), {@code /db} index; {@code rediss://} for TLS</td></tr>
 *   <tr><td>MONGO_URI</td><td>mongodb://localhost:27017 (dev only; or mongodb+srv://, credentials as {@code user:password@})</td></tr>
 *   <tr><td>HTTP_PORT</td><td>8082 (0 = any free port)</td></tr>
 *   <tr><td>GROUP_ID</td><td>quetzal-sinks — a prefix: the loops join {@code <prefix>-redis} and {@code <prefix>-mongo}</td></tr>
 *   <tr><td>GROUP_INSTANCE_ID</td><td>(none) — static membership, e.g. the pod name: the loops use
 *       {@code <id>-redis} and {@code <id>-mongo}, so a sink restarted within the session timeout gets its
 *       partitions back at once instead of waiting for its dead member to expire</td></tr>
 *   <tr><td>MONGO_WRITE_CONCERN</td><td>majority, or a number of nodes ≥ 1 (unacknowledged is refused)</td></tr>
 *   <tr><td>REDIS_BATCH_SIZE</td><td>5000 — max.poll.records of the tallies consumer</td></tr>
 *   <tr><td>MONGO_BATCH_SIZE</td><td>1000 — max.poll.records of the votes consumer</td></tr>
 *   <tr><td>BACKOFF_MIN_MS / BACKOFF_MAX_MS</td><td>100 / 5000 — retry schedule while a store is down</td></tr>
 *   <tr><td>TIMELINE_MAX_MINUTES</td><td>1440 (a day) — minutes kept on the Grafana timeline stream (the per-band hashes keep all)</td></tr>
 * </table>
 *
 * <p>The write concern defaults to {@code majority}: offsets are committed once MongoDB acknowledges, so an
 * acknowledgement that a failover can roll back would lose the vote from the log for good.
 */
public record SinksConfig(
    String bootstrapServers,
    URI redisUrl,
    String mongoUri,
    int httpPort,
    String groupIdPrefix,
    String groupInstanceId,
    String mongoWriteConcern,
    int redisBatchSize,
    int mongoBatchSize,
    Duration backoffMin,
    Duration backoffMax,
    int timelineMaxMinutes) {

  public static final String SERVICE = "quetzal-sinks";

  public SinksConfig {
    if (timelineMaxMinutes < 1) {
      throw new IllegalArgumentException("timelineMaxMinutes must be positive");
    }
  }

  public static SinksConfig fromEnv(Map<String, String> environment) {
    return fromEnv(new EnvReader(environment));
  }

  /** Reads every variable through {@code env}, which then knows what the service consulted. */
  public static SinksConfig fromEnv(EnvReader env) {
    String bootstrap = env.string("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    URI redis = RedisStore.url(env);
    String mongo = MongoStore.uri(env);
    int port = env.port("HTTP_PORT", 8082);
    String group = env.string("GROUP_ID", SERVICE);
    String instance = env.optional("GROUP_INSTANCE_ID");
    String writeConcern = env.string("MONGO_WRITE_CONCERN", "majority");
    if (parseWriteConcern(writeConcern) == null) {
      env.problem("MONGO_WRITE_CONCERN=" + writeConcern + " must be 'majority' or a node count >= 1");
    }
    int redisBatch = env.integer("REDIS_BATCH_SIZE", 5_000, 1, 100_000);
    int mongoBatch = env.integer("MONGO_BATCH_SIZE", 1_000, 1, 100_000);
    long backoffMin = env.longValue("BACKOFF_MIN_MS", 100, 1, 60_000);
    long backoffMax = env.longValue("BACKOFF_MAX_MS", 5_000, 1, 600_000);
    int timelineMax = env.integer("TIMELINE_MAX_MINUTES", 1_440, 10, 1_000_000);
    if (backoffMax < backoffMin) {
      env.problem("BACKOFF_MAX_MS=" + backoffMax + " is below BACKOFF_MIN_MS=" + backoffMin);
    }
    env.validate(SERVICE);
    return new SinksConfig(
        bootstrap,
        redis,
        mongo,
        port,
        group,
        instance,
        writeConcern,
        redisBatch,
        mongoBatch,
        Duration.ofMillis(backoffMin),
        Duration.ofMillis(backoffMax),
        timelineMax);
  }

  /** {@code majority} or a positive node count; {@code null} for anything else (including 0). */
  static WriteConcern parseWriteConcern(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("majority")) {
      return WriteConcern.MAJORITY;
    }
    try {
      int nodes = Integer.parseInt(v);
      return nodes >= 1 ? new WriteConcern(nodes) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public WriteConcern writeConcern() {
    WriteConcern concern = parseWriteConcern(mongoWriteConcern);
    if (concern == null) {
      throw new IllegalStateException("invalid write concern " + mongoWriteConcern);
    }
    return concern;
  }

  public String redisGroupId() {
    return groupIdPrefix + "-redis";
  }

  public String mongoGroupId() {
    return groupIdPrefix + "-mongo";
  }

  /** Static membership id of the Redis loop's consumer, or {@code null} for dynamic membership. */
  public String redisGroupInstanceId() {
    return groupInstanceId == null ? null : groupInstanceId + "-redis";
  }

  /** Static membership id of the MongoDB loop's consumer, or {@code null} for dynamic membership. */
  public String mongoGroupInstanceId() {
    return groupInstanceId == null ? null : groupInstanceId + "-mongo";
  }

  /** Same config on another HTTP port (tests start on 0). */
  public SinksConfig withHttpPort(int port) {
    return new SinksConfig(
        bootstrapServers, redisUrl, mongoUri, port, groupIdPrefix, groupInstanceId, mongoWriteConcern,
        redisBatchSize, mongoBatchSize, backoffMin, backoffMax, timelineMaxMinutes);
  }

  /** Credentials in either URI never reach a log line. */
  @Override
  public String toString() {
    return "SinksConfig[bootstrapServers=" + bootstrapServers
        + ", redisUrl=" + Redact.uri(redisUrl.toString())
        + ", mongoUri=" + Redact.uri(mongoUri)
        + ", httpPort=" + httpPort
        + ", groupIdPrefix=" + groupIdPrefix
        + ", groupInstanceId=" + groupInstanceId
        + ", mongoWriteConcern=" + mongoWriteConcern
        + ", redisBatchSize=" + redisBatchSize
        + ", mongoBatchSize=" + mongoBatchSize
        + ", backoff=" + backoffMin.toMillis() + ".." + backoffMax.toMillis() + " ms"
        + ", timelineMaxMinutes=" + timelineMaxMinutes + "]";
  }
}
