package gt.quetzal.ingest.http;

import gt.quetzal.kit.EnvReader;
import gt.quetzal.ingest.core.KafkaPublisherConfig;
import gt.quetzal.ingest.core.RateLimitConfig;
import gt.quetzal.ingest.core.ShutdownDrain;
import gt.quetzal.ingest.core.VoteRules;
import java.util.Map;
import java.util.Objects;

/**
 * Everything ingest-http reads from its environment, parsed once. Every bad variable is reported in
 * one {@link EnvReader.ConfigException}.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>HTTP_PORT</td><td>8080</td><td>listen port; 0 picks a free one</td></tr>
 *   <tr><td>MAX_BODY_BYTES</td><td>16384</td><td>largest POST /votes body; larger gets 413</td></tr>
 *   <tr><td>MAX_BATCH_SIZE</td><td>1000</td><td>most votes in one POST /votes/batch; more gets 413</td></tr>
 *   <tr><td>MAX_BATCH_BODY_BYTES</td><td>1048576</td><td>largest POST /votes/batch body (1000 votes
 *       of up to 1 KiB each; traffic-file votes are about 80 bytes); larger gets 413</td></tr>
 *   <tr><td>MAX_FIELD_LENGTH</td><td>200</td><td>longest name, album, voterId (code points)</td></tr>
 *   <tr><td>MAX_VOTE_ID_LENGTH</td><td>100</td><td>longest voteId / Idempotency-Key</td></tr>
 *   <tr><td>PUBLISH_TIMEOUT_MS</td><td>delivery + max block + 1000</td><td>how long a request
 *       waits for Kafka's acknowledgement before answering 503</td></tr>
 *   <tr><td>RETRY_AFTER_SECONDS</td><td>2</td><td>the Retry-After hint on 503</td></tr>
 *   <tr><td>HTTP_MAX_THREADS</td><td>200</td><td>Jetty's thread pool size</td></tr>
 *   <tr><td>SHUTDOWN_TIMEOUT_MS</td><td>PUBLISH_TIMEOUT_MS + 1000</td><td>how long shutdown waits
 *       for requests in flight; at least PUBLISH_TIMEOUT_MS, or a request waiting on a slow broker
 *       would be cut off unanswered (see {@link ShutdownDrain})</td></tr>
 *   <tr><td>HTTP_IDLE_TIMEOUT_MS</td><td>10000</td><td>how long a connection may send nothing,
 *       also in the middle of a body; a stalled request then gets 408 (or the connection is closed)
 *       and its thread is freed</td></tr>
 *   <tr><td>OPS_PORT</td><td>(unset)</td><td>when set, /metrics is served only on this port (not
 *       on HTTP_PORT), with /healthz and /readyz, so the Ingress never exposes it; /healthz and
 *       /readyz stay on HTTP_PORT too; 0 picks a free port</td></tr>
 *   <tr><td>RATE_LIMIT_*, TRUSTED_PROXIES</td><td>off</td><td>see {@link RateLimitConfig}</td></tr>
 *   <tr><td>KAFKA_*</td><td>see {@link KafkaPublisherConfig}</td><td>bootstrap servers, timeouts,
 *       batching</td></tr>
 * </table>
 *
 * @param opsPort {@link #NO_OPS_PORT} when OPS_PORT is unset
 *
 * @param publishTimeoutMs by default longer than Kafka's own bound ({@code delivery.timeout.ms} plus
 *                         {@code max.block.ms}), so a 503 normally reports Kafka's verdict; set it
 *                         lower only if clients need a faster answer (a late success then still
 *                         lands, and a retry with the returned voteId is deduplicated)
 */
public record IngestHttpConfig(
    int httpPort,
    int maxBodyBytes,
    int maxBatchSize,
    int maxBatchBodyBytes,
    VoteRules rules,
    KafkaPublisherConfig kafka,
    long publishTimeoutMs,
    int retryAfterSeconds,
    int httpMaxThreads,
    long shutdownTimeoutMs,
    long idleTimeoutMs,
    int opsPort,
    RateLimitConfig rateLimit) {

  /** {@link #opsPort()} when OPS_PORT is unset: everything is served on the public port. */
  public static final int NO_OPS_PORT = -1;

  public static final String SERVICE = "ingest-http";

  public IngestHttpConfig {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(rateLimit, "rateLimit");
    if (idleTimeoutMs < 1 || opsPort < NO_OPS_PORT || opsPort > 65_535) {
      throw new IllegalArgumentException("need idleTimeoutMs >= 1 and opsPort -1..65535");
    }
    if (httpPort < 0 || httpPort > 65_535) {
      throw new IllegalArgumentException("httpPort must be 0..65535");
    }
    if (maxBatchSize < 1 || maxBatchBodyBytes < 1) {
      throw new IllegalArgumentException("need maxBatchSize >= 1 and maxBatchBodyBytes >= 1");
    }
    if (maxBodyBytes < 1 || publishTimeoutMs < 1 || retryAfterSeconds < 1 || httpMaxThreads < 16 || shutdownTimeoutMs < 0) {
      throw new IllegalArgumentException(
          "need maxBodyBytes >= 1, publishTimeoutMs >= 1, retryAfterSeconds >= 1, httpMaxThreads >= 16, shutdownTimeoutMs >= 0");
    }
  }

  public static IngestHttpConfig fromEnv(Map<String, String> environment) {
    return fromEnv(new EnvReader(environment));
  }

  /** The same, through a reader the caller keeps, so deployment checks can see which variables were read. */
  public static IngestHttpConfig fromEnv(EnvReader env) {
    int port = env.port("HTTP_PORT", 8080);
    int maxBody = env.integer("MAX_BODY_BYTES", 16_384, 64, 64 * 1024 * 1024);
    int maxBatch = env.integer("MAX_BATCH_SIZE", 1_000, 1, 100_000);
    int maxBatchBody = env.integer("MAX_BATCH_BODY_BYTES", 1_048_576, 64, 256 * 1024 * 1024);
    VoteRules rules = VoteRules.fromEnv(env);
    KafkaPublisherConfig kafka = KafkaPublisherConfig.fromEnv(env, SERVICE);
    long publishTimeout = KafkaPublisherConfig.publishTimeoutMs(env, kafka);
    int retryAfter = env.integer("RETRY_AFTER_SECONDS", 2, 1, 3_600);
    int maxThreads = env.integer("HTTP_MAX_THREADS", 200, 16, 10_000);
    long shutdownTimeout =
        ShutdownDrain.read(env, publishTimeout, "PUBLISH_TIMEOUT_MS (" + publishTimeout + " ms)");
    long idleTimeout = env.longValue("HTTP_IDLE_TIMEOUT_MS", 10_000, 100, 3_600_000);
    int opsPort = env.optional("OPS_PORT") == null ? NO_OPS_PORT : env.port("OPS_PORT", NO_OPS_PORT);
    if (opsPort > 0 && opsPort == port) {
      env.problem("OPS_PORT and HTTP_PORT must differ (both are " + port + ")");
    }
    RateLimitConfig rateLimit = RateLimitConfig.fromEnv(env);
    env.validate(SERVICE);
    return new IngestHttpConfig(
        port, maxBody, maxBatch, maxBatchBody, rules, kafka, publishTimeout, retryAfter, maxThreads, shutdownTimeout,
        idleTimeout, opsPort, rateLimit);
  }

  /** The local-stack defaults, as if no variable were set. */
  public static IngestHttpConfig defaults() {
    return fromEnv(Map.of());
  }

  /** The largest body any route reads: Jetty's own limit must let both through. */
  public int maxRequestBytes() {
    return Math.max(maxBodyBytes, maxBatchBodyBytes);
  }

  public IngestHttpConfig withHttpPort(int port) {
    return new IngestHttpConfig(
        port, maxBodyBytes, maxBatchSize, maxBatchBodyBytes, rules, kafka, publishTimeoutMs, retryAfterSeconds, httpMaxThreads,
        shutdownTimeoutMs, idleTimeoutMs, opsPort, rateLimit);
  }

  /** The longest a stop may take: the drain, then the publisher's flush and close. */
  public long shutdownBudgetMs() {
    return shutdownTimeoutMs + kafka.closeBudgetMs();
  }

  public boolean hasOpsPort() {
    return opsPort != NO_OPS_PORT;
  }
}
