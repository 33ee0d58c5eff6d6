package gt.quetzal.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import gt.quetzal.ingest.core.VoteRules;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestGrpcConfigTest {

  @Test
  void defaultsFitTheLocalStack() {
    IngestGrpcConfig config = IngestGrpcConfig.defaults();
    assertThat(config.grpcPort()).isEqualTo(9090);
    assertThat(config.httpPort()).isEqualTo(8085);
    assertThat(config.maxInboundMessageBytes()).isEqualTo(1_048_576);
    assertThat(config.streamMaxVotesPerMessage()).isEqualTo(1_000);
    assertThat(config.streamMaxInFlight()).isEqualTo(16);
    assertThat(config.rules()).isEqualTo(VoteRules.DEFAULT);
    assertThat(config.kafka().clientId()).isEqualTo("ingest-grpc");
    assertThat(config.kafka().bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.retryAfterMs()).isEqualTo(2_000);
    assertThat(config.publishTimeoutMs())
        .isEqualTo(config.kafka().deliveryTimeoutMs() + config.kafka().maxBlockMs() + 1_000L);
  }

  @Test
  void everyVariableCanBeOverridden() {
    IngestGrpcConfig config =
        IngestGrpcConfig.fromEnv(
            Map.ofEntries(
                Map.entry("GRPC_PORT", "0"),
                Map.entry("HTTP_PORT", "0"),
                Map.entry("GRPC_MAX_INBOUND_MESSAGE_BYTES", "4096"),
                Map.entry("GRPC_STREAM_MAX_VOTES_PER_MESSAGE", "250"),
                Map.entry("GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES", "32"),
                Map.entry("GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION", "10"),
                Map.entry("GRPC_THREADS", "4"),
                Map.entry("MAX_FIELD_LENGTH", "50"),
                Map.entry("PUBLISH_TIMEOUT_MS", "900"),
                Map.entry("RETRY_AFTER_MS", "250"),
                Map.entry("HEALTH_POLL_MS", "100"),
                Map.entry("SHUTDOWN_TIMEOUT_MS", "12500"), // CastStream votes wait for Kafka's 12000
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")));
    assertThat(config)
        .extracting(
            IngestGrpcConfig::grpcPort, IngestGrpcConfig::httpPort, IngestGrpcConfig::maxInboundMessageBytes,
            IngestGrpcConfig::streamMaxVotesPerMessage, IngestGrpcConfig::streamMaxInFlight, IngestGrpcConfig::maxConcurrentCallsPerConnection, IngestGrpcConfig::threads,
            IngestGrpcConfig::publishTimeoutMs, IngestGrpcConfig::retryAfterMs, IngestGrpcConfig::healthPollMs,
            IngestGrpcConfig::shutdownTimeoutMs)
        .containsExactly(0, 0, 4096, 250, 32, 10, 4, 900L, 250L, 100L, 12_500L);
    assertThat(config.rules().maxTextLength()).isEqualTo(50);
    assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9092");
  }

  @Test
  void theDrainOutlastsTheLongestWaitForKafka() {
    assertThat(IngestGrpcConfig.defaults().shutdownTimeoutMs()).isEqualTo(14_000); // publish timeout 13 s + 1 s
    // a lower PUBLISH_TIMEOUT_MS does not shorten a CastStream vote's wait (Kafka's 12 s)
    assertThat(IngestGrpcConfig.fromEnv(Map.of("PUBLISH_TIMEOUT_MS", "3000")).shutdownTimeoutMs()).isEqualTo(13_000);
  }

  @Test
  void aDrainShorterThanThePublishTimeoutStopsTheServiceNamingBoth() {
    assertThatThrownBy(() -> IngestGrpcConfig.fromEnv(Map.of("SHUTDOWN_TIMEOUT_MS", "10000")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("ingest-grpc")
        .hasMessageContaining("SHUTDOWN_TIMEOUT_MS=10000")
        .hasMessageContaining("PUBLISH_TIMEOUT_MS (13000 ms)");
    assertThatThrownBy(() -> IngestGrpcConfig.fromEnv(Map.of("SHUTDOWN_TIMEOUT_MS", "5000", "PUBLISH_TIMEOUT_MS", "3000")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("SHUTDOWN_TIMEOUT_MS=5000")
        .hasMessageContaining("KAFKA_DELIVERY_TIMEOUT_MS + KAFKA_MAX_BLOCK_MS (12000 ms");
  }

  @Test
  void theShutdownBudgetCountsTheDrainTheForcedCancelAndThePublisherClose() {
    // drain 14 s, forced cancel 1 s, flush 10 s, producer close 5 s, admin close 4 s
    assertThat(IngestGrpcConfig.defaults().shutdownBudgetMs()).isEqualTo(14_000 + 1_000 + 10_000 + 5_000 + 4_000);
  }

  @Test
  void everyBadVariableIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                IngestGrpcConfig.fromEnv(
                    Map.of(
                        "GRPC_PORT", "70000",
                        "GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES", "0",
                        "GRPC_STREAM_MAX_VOTES_PER_MESSAGE", "100001",
                        "RETRY_AFTER_MS", "soon",
                        "KAFKA_COMPRESSION_TYPE", "brotli")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("ingest-grpc")
        .hasMessageContaining("GRPC_PORT")
        .hasMessageContaining("GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES")
        .hasMessageContaining("GRPC_STREAM_MAX_VOTES_PER_MESSAGE")
        .hasMessageContaining("RETRY_AFTER_MS")
        .hasMessageContaining("KAFKA_COMPRESSION_TYPE");
  }

  @Test
  void theOldVoteCountingInFlightVariableIsRefusedNotReadInTheNewUnit() {
    assertThatThrownBy(() -> IngestGrpcConfig.fromEnv(Map.of("GRPC_STREAM_MAX_IN_FLIGHT", "1024")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("GRPC_STREAM_MAX_IN_FLIGHT is gone")
        .hasMessageContaining("GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES");
  }

  @Test
  void theTwoPortsMustDiffer() {
    assertThatThrownBy(() -> IngestGrpcConfig.fromEnv(Map.of("GRPC_PORT", "9000", "HTTP_PORT", "9000")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("must differ");
  }
}
