package gt.quetzal.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import gt.quetzal.ingest.core.VoteRules;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestHttpConfigTest {

  @Test
  void defaultsFitTheLocalStack() {
    IngestHttpConfig config = IngestHttpConfig.fromEnv(Map.of());
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.maxBodyBytes()).isEqualTo(16_384);
    assertThat(config.maxBatchSize()).isEqualTo(1_000);
    assertThat(config.maxBatchBodyBytes()).isEqualTo(1_048_576);
    assertThat(config.maxRequestBytes()).isEqualTo(1_048_576); // Jetty's limit lets the batch through
    assertThat(config.rules()).isEqualTo(VoteRules.DEFAULT);
    assertThat(config.kafka().bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.kafka().clientId()).isEqualTo("ingest-http");
    assertThat(config.retryAfterSeconds()).isEqualTo(2);
    // outlasts Kafka's own bound, so a 503 normally reports Kafka's verdict
    assertThat(config.publishTimeoutMs())
        .isEqualTo(config.kafka().deliveryTimeoutMs() + config.kafka().maxBlockMs() + 1_000L);
  }

  @Test
  void everyVariableCanBeOverridden() {
    IngestHttpConfig config =
        IngestHttpConfig.fromEnv(
            Map.ofEntries(
                Map.entry("HTTP_PORT", "0"),
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092,kafka-1:9092"),
                Map.entry("MAX_BODY_BYTES", "2048"),
                Map.entry("MAX_BATCH_SIZE", "50"),
                Map.entry("MAX_BATCH_BODY_BYTES", "1024"),
                Map.entry("MAX_FIELD_LENGTH", "120"),
                Map.entry("MAX_VOTE_ID_LENGTH", "64"),
                Map.entry("PUBLISH_TIMEOUT_MS", "750"),
                Map.entry("RETRY_AFTER_SECONDS", "5"),
                Map.entry("HTTP_MAX_THREADS", "64"),
                Map.entry("SHUTDOWN_TIMEOUT_MS", "3000"),
                Map.entry("KAFKA_DELIVERY_TIMEOUT_MS", "4000"),
                Map.entry("KAFKA_REQUEST_TIMEOUT_MS", "1500"),
                Map.entry("KAFKA_MAX_BLOCK_MS", "300"),
                Map.entry("KAFKA_LINGER_MS", "0"),
                Map.entry("KAFKA_COMPRESSION_TYPE", "LZ4")));
    assertThat(config.httpPort()).isZero();
    assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka-0:9092,kafka-1:9092");
    assertThat(config.maxBodyBytes()).isEqualTo(2048);
    assertThat(config.maxBatchSize()).isEqualTo(50);
    assertThat(config.maxBatchBodyBytes()).isEqualTo(1024);
    assertThat(config.maxRequestBytes()).isEqualTo(2048);
    assertThat(config.rules()).isEqualTo(new VoteRules(120, 16, 64));
    assertThat(config.publishTimeoutMs()).isEqualTo(750);
    assertThat(config.retryAfterSeconds()).isEqualTo(5);
    assertThat(config.httpMaxThreads()).isEqualTo(64);
    assertThat(config.shutdownTimeoutMs()).isEqualTo(3000);
    assertThat(config.kafka().deliveryTimeoutMs()).isEqualTo(4000);
    assertThat(config.kafka().requestTimeoutMs()).isEqualTo(1500);
    assertThat(config.kafka().maxBlockMs()).isEqualTo(300);
    assertThat(config.kafka().lingerMs()).isZero();
    assertThat(config.kafka().compressionType()).isEqualTo("lz4");
  }

  @Test
  void defaultPublishTimeoutFollowsKafkaTimeouts() {
    IngestHttpConfig config =
        IngestHttpConfig.fromEnv(Map.of("KAFKA_DELIVERY_TIMEOUT_MS", "6000", "KAFKA_MAX_BLOCK_MS", "500"));
    assertThat(config.publishTimeoutMs()).isEqualTo(7_500);
  }

  @Test
  void theDrainOutlastsThePublishTimeoutByDefault() {
    // 13 s publish timeout: a 10 s drain used to cut requests waiting on a slow broker off unanswered
    assertThat(IngestHttpConfig.defaults().shutdownTimeoutMs()).isEqualTo(14_000);
    assertThat(IngestHttpConfig.fromEnv(Map.of("PUBLISH_TIMEOUT_MS", "20000")).shutdownTimeoutMs()).isEqualTo(21_000);
    assertThat(IngestHttpConfig.fromEnv(Map.of("KAFKA_DELIVERY_TIMEOUT_MS", "6000", "KAFKA_MAX_BLOCK_MS", "500")).shutdownTimeoutMs())
        .isEqualTo(8_500);
  }

  @Test
  void aDrainShorterThanThePublishTimeoutStopsTheServiceNamingBoth() {
    assertThatThrownBy(() -> IngestHttpConfig.fromEnv(Map.of("SHUTDOWN_TIMEOUT_MS", "10000")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("SHUTDOWN_TIMEOUT_MS=10000")
        .hasMessageContaining("PUBLISH_TIMEOUT_MS (13000 ms)");
    assertThat(IngestHttpConfig.fromEnv(Map.of("SHUTDOWN_TIMEOUT_MS", "13000", "PUBLISH_TIMEOUT_MS", "13000")).shutdownTimeoutMs())
        .as("equal is enough: the answer is written as the timeout fires")
        .isEqualTo(13_000);
  }

  @Test
  void theShutdownBudgetCountsTheDrainAndThePublisherClose() {
    IngestHttpConfig config = IngestHttpConfig.defaults();
    // drain 14 s, then flush (delivery 10 s), producer close (request timeout 5 s), admin close (2 x 2 s)
    assertThat(config.shutdownBudgetMs()).isEqualTo(14_000 + 10_000 + 5_000 + 4_000);
  }

  @Test
  void everyBadVariableIsNamedInOneError() {
    assertThatThrownBy(
            () ->
                IngestHttpConfig.fromEnv(
                    Map.of(
                        "HTTP_PORT", "eighty",
                        "MAX_BODY_BYTES", "0",
                        "MAX_FIELD_LENGTH", "-1",
                        "KAFKA_COMPRESSION_TYPE", "brotli",
                        "PUBLISH_TIMEOUT_MS", "soon")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("ingest-http")
        .hasMessageContaining("HTTP_PORT=eighty")
        .hasMessageContaining("MAX_BODY_BYTES=0")
        .hasMessageContaining("MAX_FIELD_LENGTH=-1")
        .hasMessageContaining("KAFKA_COMPRESSION_TYPE=brotli")
        .hasMessageContaining("PUBLISH_TIMEOUT_MS=soon");
  }

  @Test
  void kafkaTimeoutsMustFitTogether() {
    assertThatThrownBy(
            () -> IngestHttpConfig.fromEnv(Map.of("KAFKA_DELIVERY_TIMEOUT_MS", "1000", "KAFKA_REQUEST_TIMEOUT_MS", "5000")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("KAFKA_DELIVERY_TIMEOUT_MS=1000 must be >= KAFKA_LINGER_MS + KAFKA_REQUEST_TIMEOUT_MS");
  }

  @Test
  void recordIsConstructibleDirectlyForTests() {
    IngestHttpConfig config = IngestHttpConfig.defaults().withHttpPort(0);
    assertThat(config.httpPort()).isZero();
    assertThat(config.kafka()).isEqualTo(IngestHttpConfig.defaults().kafka());
    assertThatThrownBy(() -> config.withHttpPort(70_000)).isInstanceOf(IllegalArgumentException.class);
  }
}
