package gt.quetzal.ingest.grpc;

import gt.quetzal.kit.EnvReader;
import gt.quetzal.ingest.core.KafkaPublisherConfig;
import gt.quetzal.ingest.core.RateLimitConfig;
import gt.quetzal.ingest.core.ShutdownDrain;
import gt.quetzal.ingest.core.VoteRules;
import java.util.Map;
import java.util.Objects;

/**
 * Everything ingest-grpc reads from its environment, parsed once; every bad variable is reported in
 * one {@link EnvReader.ConfigException}. The vote rules and Kafka variables are the same ones
 * ingest-http reads ({@link VoteRules#fromEnv}, {@link KafkaPublisherConfig#fromEnv}).
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>GRPC_PORT</td><td>9090</td><td>gRPC listen port; 0 picks a free one</td></tr>
 *   <tr><td>HTTP_PORT</td><td>8085</td><td>the small HTTP port for /healthz, /readyz, /metrics</td></tr>
 *   <tr><td>GRPC_MAX_INBOUND_MESSAGE_BYTES</td><td>1048576</td><td>largest request message (one
 *       vote, or one CastStream run: 1000 votes take about 100 KB, as POST /votes/batch's
 *       MAX_BATCH_BODY_BYTES); larger gets RESOURCE_EXHAUSTED</td></tr>
 *   <tr><td>GRPC_STREAM_MAX_VOTES_PER_MESSAGE</td><td>1000</td><td>most votes in one CastStream
 *       request message (as MAX_BATCH_SIZE); more ends the stream RESOURCE_EXHAUSTED</td></tr>
 *   <tr><td>GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES</td><td>16</td><td>per CastStream: request messages
 *       received but whose ack is not yet written; the server requests no more than this. It
 *       replaces GRPC_STREAM_MAX_IN_FLIGHT, which counted votes (one per message) and is now
 *       refused, so an old setting is not read in the new unit</td></tr>
 *   <tr><td>GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION</td><td>1000</td><td>HTTP/2 streams one client
 *       connection may hold open</td></tr>
 *   <tr><td>GRPC_THREADS</td><td>16</td><td>the executor running calls and writing answers</td></tr>
 *   <tr><td>MAX_FIELD_LENGTH, MAX_VOTE_ID_LENGTH</td><td>200, 100</td><td>see {@link VoteRules}</td></tr>
 *   <tr><td>PUBLISH_TIMEOUT_MS</td><td>delivery + max block + 1000</td><td>how long a Cast waits
 *       for Kafka's acknowledgement before it is answered UNAVAILABLE; CastStream votes rely on
 *       Kafka's own bound (max.block.ms, then delivery.timeout.ms), which this default exceeds
 *       anyway</td></tr>
 *   <tr><td>RETRY_AFTER_MS</td><td>2000</td><td>the retry hint on UNAVAILABLE</td></tr>
 *   <tr><td>HEALTH_POLL_MS</td><td>2000</td><td>how often the grpc.health.v1 status is refreshed
 *       from the publisher's health</td></tr>
 *   <tr><td>SHUTDOWN_TIMEOUT_MS</td><td>the longer of PUBLISH_TIMEOUT_MS and Kafka's bound, +
 *       1000</td><td>how long shutdown waits for calls in flight before cancelling them; at least
 *       that longer wait, or a call waiting on a slow broker would be cut off unanswered (see {@link
 *       ShutdownDrain})</td></tr>
 *   <tr><td>RATE_LIMIT_*, TRUSTED_PROXIES</td><td>off</td><td>see {@link RateLimitConfig}; over the
 *       limit a call ends RESOURCE_EXHAUSTED with a google.rpc.RetryInfo delay</td></tr>
 *   <tr><td>KAFKA_*</td><td>see {@link KafkaPublisherConfig}</td><td>bootstrap servers, timeouts,
 *       batching</td></tr>
 * </table>
 */
public record IngestGrpcConfig(
    int grpcPort,
    int httpPort,
    int maxInboundMessageBytes,
    int streamMaxVotesPerMessage,
    int streamMaxInFlight,
    int maxConcurrentCallsPerConnection,
    int threads,
    VoteRules rules,
    KafkaPublisherConfig kafka,
    long publishTimeoutMs,
    long retryAfterMs,
    long healthPollMs,
    long shutdownTimeoutMs,
    RateLimitConfig rateLimit) {

  public static final String SERVICE = "ingest-grpc";
  public static final int DEFAULT_STREAM_MAX_VOTES_PER_MESSAGE = 1_000;

  public IngestGrpcConfig {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(rateLimit, "rateLimit");
    if (grpcPort < 0 || grpcPort > 65_535 || httpPort < 0 || httpPort > 65_535) {
      throw new IllegalArgumentException("ports must be 0..65535");
    }
    if (maxInboundMessageBytes < 64 || streamMaxVotesPerMessage < 1 || streamMaxInFlight < 1
        || maxConcurrentCallsPerConnection < 1 || threads < 1) {
      throw new IllegalArgumentException(
          "need maxInboundMessageBytes >= 64, streamMaxVotesPerMessage >= 1, streamMaxInFlight >= 1,"
              + " maxConcurrentCallsPerConnection >= 1, threads >= 1");
    }
    if (publishTimeoutMs < 1 || retryAfterMs < 1 || healthPollMs < 1 || shutdownTimeoutMs < 0) {
      throw new IllegalArgumentException(
          "need publishTimeoutMs >= 1, retryAfterMs >= 1, healthPollMs >= 1, shutdownTimeoutMs >= 0");
    }
  }

  public static IngestGrpcConfig fromEnv(Map<String, String> environment) {
    return fromEnv(new EnvReader(environment));
  }

  /** The same, through a reader the caller keeps, so deployment checks can see which variables were read. */
  public static IngestGrpcConfig fromEnv(EnvReader env) {
    int grpcPort = env.port("GRPC_PORT", 9090);
    int httpPort = env.port("HTTP_PORT", 8085);
    int maxMessage = env.integer("GRPC_MAX_INBOUND_MESSAGE_BYTES", 1_048_576, 64, 64 * 1024 * 1024);
    int maxVotesPerMessage =
        env.integer("GRPC_STREAM_MAX_VOTES_PER_MESSAGE", DEFAULT_STREAM_MAX_VOTES_PER_MESSAGE, 1, 100_000);
    int maxInFlight = env.integer("GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES", 16, 1, 100_000);
    if (env.optional("GRPC_STREAM_MAX_IN_FLIGHT") != null) {
      env.problem(
          "GRPC_STREAM_MAX_IN_FLIGHT is gone: CastStream messages now carry many votes; set"
              + " GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES (request messages, default 16) instead");
    }
    int maxCalls = env.integer("GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION", 1_000, 1, 1_000_000);
    int threads = env.integer("GRPC_THREADS", 16, 1, 10_000);
    VoteRules rules = VoteRules.fromEnv(env);
    KafkaPublisherConfig kafka = KafkaPublisherConfig.fromEnv(env, SERVICE);
    long publishTimeout = KafkaPublisherConfig.publishTimeoutMs(env, kafka);
    long retryAfter = env.longValue("RETRY_AFTER_MS", 2_000, 1, 3_600_000);
    long healthPoll = env.longValue("HEALTH_POLL_MS", 2_000, 1, 3_600_000);
    // A CastStream vote waits for Kafka's own bound, not PUBLISH_TIMEOUT_MS: the drain covers both.
    long kafkaBound = kafka == null ? 0 : kafka.sendBoundMs();
    long shutdownTimeout =
        publishTimeout >= kafkaBound
            ? ShutdownDrain.read(env, publishTimeout, "PUBLISH_TIMEOUT_MS (" + publishTimeout + " ms)")
            : ShutdownDrain.read(
                env, kafkaBound, "KAFKA_DELIVERY_TIMEOUT_MS + KAFKA_MAX_BLOCK_MS (" + kafkaBound
                    + " ms, what a CastStream vote may wait; PUBLISH_TIMEOUT_MS is " + publishTimeout + " ms)");
    if (grpcPort != 0 && grpcPort == httpPort) {
      env.problem("GRPC_PORT and HTTP_PORT must differ (both are " + grpcPort + ")");
    }
    RateLimitConfig rateLimit = RateLimitConfig.fromEnv(env);
    env.validate(SERVICE);
    return new IngestGrpcConfig(
        grpcPort, httpPort, maxMessage, maxVotesPerMessage, maxInFlight, maxCalls, threads, rules, kafka, publishTimeout, retryAfter,
        healthPoll, shutdownTimeout, rateLimit);
  }

  /** The longest a stop may take: the drain, the forced cancel, then the publisher's flush and close. */
  public long shutdownBudgetMs() {
    return shutdownTimeoutMs + IngestGrpcServer.FORCED_TERMINATION_WAIT_MS + kafka.closeBudgetMs();
  }

  /** The local-stack defaults, as if no variable were set. */
  public static IngestGrpcConfig defaults() {
    return fromEnv(Map.of());
  }
}
