package gt.quetzal.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With OPS_PORT, /metrics leaves the public port; probes work on both. */
class IngestHttpOpsPortTest {

  private final HttpClient http = HttpClient.newHttpClient();

  private int get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void metricsMoveToTheOpsPortAndHealthStaysOnBoth() throws Exception {
    IngestHttpConfig config =
        IngestHttpConfig.fromEnv(
            Map.of(
                "HTTP_PORT", "0",
                "OPS_PORT", "0",
                "KAFKA_BOOTSTRAP_SERVERS", "localhost:" + gt.quetzal.ingest.testing.ClosedPort.port(),
                "KAFKA_MAX_BLOCK_MS", "500",
                "KAFKA_HEALTH_TIMEOUT_MS", "500",
                "PUBLISH_TIMEOUT_MS", "1000",
                "SHUTDOWN_TIMEOUT_MS", "1000"));
    try (IngestHttpMain.Running running = IngestHttpMain.start(config)) {
      int pub = running.httpPort();
      int ops = running.opsPort();
      assertThat(ops).isPositive().isNotEqualTo(pub);
      assertThat(get(pub, "/metrics")).isEqualTo(404);
      assertThat(get(ops, "/metrics")).isEqualTo(200);
      assertThat(get(pub, "/healthz")).isEqualTo(200);
      assertThat(get(ops, "/healthz")).isEqualTo(200);
      assertThat(get(ops, "/readyz")).isEqualTo(503); // no broker
      assertThat(get(ops, "/votes")).as("votes are not served on the ops port").isEqualTo(404);
    }
  }

  @Test
  void withoutOpsPortMetricsStayOnThePublicPort() {
    IngestHttpConfig config = IngestHttpConfig.fromEnv(Map.of());
    assertThat(config.hasOpsPort()).isFalse();
    assertThat(config.idleTimeoutMs()).isEqualTo(10_000);
    assertThat(config.rateLimit().enabled()).isFalse();
  }

  @Test
  void opsPortMustDifferFromTheHttpPort() {
    assertThatThrownBy(() -> IngestHttpConfig.fromEnv(Map.of("HTTP_PORT", "8080", "OPS_PORT", "8080", "HTTP_IDLE_TIMEOUT_MS", "5")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("OPS_PORT and HTTP_PORT must differ")
        .hasMessageContaining("HTTP_IDLE_TIMEOUT_MS=5");
  }
}
