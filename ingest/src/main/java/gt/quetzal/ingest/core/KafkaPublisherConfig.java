package gt.quetzal.ingest.core;

import gt.quetzal.kit.EnvReader;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How both ingest routes talk to Kafka. Every timeout is bounded so no request thread can wait on
 * Kafka forever.
 *
 * @param bootstrapServers  {@code KAFKA_BOOTSTRAP_SERVERS}, default {@code localhost:9092}
 * @param clientId          {@code KAFKA_CLIENT_ID}, default the service name
 * @param lingerMs          {@code KAFKA_LINGER_MS}, default 5: a little batching for throughput
 * @param batchSizeBytes    {@code KAFKA_BATCH_SIZE}, default 65536
 * @param compressionType   {@code KAFKA_COMPRESSION_TYPE}: none, gzip, snappy, lz4 or zstd; default none
 * @param requestTimeoutMs  {@code KAFKA_REQUEST_TIMEOUT_MS}, default 5000: one broker round trip
 * @param deliveryTimeoutMs {@code KAFKA_DELIVERY_TIMEOUT_MS}, default 10000: Kafka's bound on one
 *                          send including retries; must be ≥ linger + request timeout
 * @param maxBlockMs        {@code KAFKA_MAX_BLOCK_MS}, default 2000: how long {@code send} may block
 *                          the caller waiting for metadata or buffer space
 * @param healthTimeoutMs   {@code KAFKA_HEALTH_TIMEOUT_MS}, default 2000: the readiness probe's bound
 * @param healthCacheMs     {@code KAFKA_HEALTH_CACHE_MS}, default 1000: how long a probe result is reused
 */
public record KafkaPublisherConfig(
    String bootstrapServers,
    String clientId,
    int lingerMs,
    int batchSizeBytes,
    String compressionType,
    int requestTimeoutMs,
    int deliveryTimeoutMs,
    int maxBlockMs,
    int healthTimeoutMs,
    int healthCacheMs) {

  private static final Set<String> COMPRESSION_TYPES = Set.of("none", "gzip", "snappy", "lz4", "zstd");

  public KafkaPublisherConfig {
    if (deliveryTimeoutMs < (long) lingerMs + requestTimeoutMs) {
      throw new IllegalArgumentException(
          "deliveryTimeoutMs (" + deliveryTimeoutMs + ") must be >= lingerMs + requestTimeoutMs ("
              + ((long) lingerMs + requestTimeoutMs) + ")");
    }
    if (!COMPRESSION_TYPES.contains(compressionType)) {
      throw new IllegalArgumentException("compressionType must be one of " + COMPRESSION_TYPES);
    }
  }

  /** Local-stack defaults for the given client id. */
  public static KafkaPublisherConfig defaults(String bootstrapServers, String clientId) {
    return new KafkaPublisherConfig(bootstrapServers, clientId, 5, 65_536, "none", 5_000, 10_000, 2_000, 2_000, 1_000);
  }

  /**
   * Reads the Kafka variables into {@code env}'s problem list, never throwing, so a service's config
   * reports these together with its own. Returns {@code null} only when a problem was recorded.
   */
  public static KafkaPublisherConfig fromEnv(EnvReader env, String defaultClientId) {
    String bootstrap = env.string("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    String clientId = env.string("KAFKA_CLIENT_ID", defaultClientId);
    int linger = env.integer("KAFKA_LINGER_MS", 5, 0, 60_000);
    int batch = env.integer("KAFKA_BATCH_SIZE", 65_536, 0, 16 * 1024 * 1024);
    String compression = env.string("KAFKA_COMPRESSION_TYPE", "none").toLowerCase(Locale.ROOT);
    int request = env.integer("KAFKA_REQUEST_TIMEOUT_MS", 5_000, 1, 600_000);
    int delivery = env.integer("KAFKA_DELIVERY_TIMEOUT_MS", 10_000, 1, 3_600_000);
    int maxBlock = env.integer("KAFKA_MAX_BLOCK_MS", 2_000, 0, 600_000);
    int healthTimeout = env.integer("KAFKA_HEALTH_TIMEOUT_MS", 2_000, 1, 600_000);
    int healthCache = env.integer("KAFKA_HEALTH_CACHE_MS", 1_000, 0, 600_000);

    boolean ok = true;
    if (!COMPRESSION_TYPES.contains(compression)) {
      env.problem("KAFKA_COMPRESSION_TYPE=" + compression + " is not one of none, gzip, snappy, lz4, zstd");
      ok = false;
    }
    if (delivery < (long) linger + request) {
      env.problem(
          "KAFKA_DELIVERY_TIMEOUT_MS=" + delivery + " must be >= KAFKA_LINGER_MS + KAFKA_REQUEST_TIMEOUT_MS ("
              + ((long) linger + request) + "), as Kafka requires");
      ok = false;
    }
    if (!ok) {
      return null;
    }
    return new KafkaPublisherConfig(
        bootstrap, clientId, linger, batch, compression, request, delivery, maxBlock, healthTimeout, healthCache);
  }

  /**
   * {@code PUBLISH_TIMEOUT_MS}, how long a vote waits for Kafka before it is answered 503 /
   * UNAVAILABLE, for both routes. The default exceeds Kafka's own bound ({@link #sendBoundMs()}) by a
   * second, so the answer normally reports Kafka's verdict.
   *
   * @param kafka as {@link #fromEnv} read it: null when it recorded a problem (the default is then moot)
   */
  public static long publishTimeoutMs(EnvReader env, KafkaPublisherConfig kafka) {
    long fallback = (kafka == null ? defaults("", "").sendBoundMs() : kafka.sendBoundMs()) + 1_000;
    return env.longValue("PUBLISH_TIMEOUT_MS", fallback, 1, 3_600_000);
  }

  /** Kafka's own bound on one vote: {@code send} blocks at most max.block.ms, delivery takes at most delivery.timeout.ms. */
  public long sendBoundMs() {
    return (long) deliveryTimeoutMs + maxBlockMs;
  }

  /** How long {@link KafkaVotePublisher#close()} waits for the producer to close, after its flush. */
  public long producerCloseTimeoutMs() {
    return Math.max(requestTimeoutMs, 1_000);
  }

  /** How long closing the readiness probe's admin client may wait for a pending call. */
  public long adminCloseTimeoutMs() {
    return 2L * healthTimeoutMs;
  }

  /**
   * The longest {@link KafkaVotePublisher#close()} may take: the flush (bounded by the delivery
   * timeout), the producer's close, the admin client's close.
   */
  public long closeBudgetMs() {
    return deliveryTimeoutMs + producerCloseTimeoutMs() + adminCloseTimeoutMs();
  }

  /** The producer settings that make "accepted" mean durable; serdes come from the topic. */
  public Map<String, Object> producerProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5); // the most idempotence allows
    props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSizeBytes);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compressionType);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs);
    return props;
  }

  /** Settings for the consumer that follows the contest ({@link ContestGate}). */
  public Map<String, Object> contestFollowerProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-contest");
    return props;
  }

  /** Settings for the admin client behind the readiness probe. */
  public Map<String, Object> adminProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-health");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, healthTimeoutMs);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, healthTimeoutMs);
    return props;
  }
}
