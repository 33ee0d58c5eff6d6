package gt.quetzal.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real wiring (KafkaProducer, admin probe, Jetty) against a port where no broker listens: the
 * service must start anyway, say it is not ready, and answer 503, never 202.
 */
class IngestHttpMainTest {

  @Test
  void withoutABrokerItServesHealthButRefusesVotesWith503() throws Exception {
    IngestHttpConfig config =
        IngestHttpConfig.fromEnv(
            Map.of(
                "HTTP_PORT", "0",
                "KAFKA_BOOTSTRAP_SERVERS", "localhost:" + gt.quetzal.ingest.testing.ClosedPort.port(),
                "KAFKA_MAX_BLOCK_MS", "500",
                "KAFKA_REQUEST_TIMEOUT_MS", "500",
                "KAFKA_DELIVERY_TIMEOUT_MS", "1000",
                "KAFKA_HEALTH_TIMEOUT_MS", "500",
                "SHUTDOWN_TIMEOUT_MS", "3000"));
    HttpClient http = HttpClient.newHttpClient();
    int port;
    try (IngestHttpMain.Running running = IngestHttpMain.start(config)) {
      port = running.httpPort();
      assertThat(port).isPositive();
      String base = "http://localhost:" + port;

      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);

      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(Json.MAPPER.readTree(ready.body()).path("reasons").path(0).asText()).contains("Kafka unreachable");

      HttpRequest vote =
          HttpRequest.newBuilder(URI.create(base + "/votes"))
              .timeout(Duration.ofSeconds(15))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Alux Nahual\",\"album\":\"Alux Nahual\",\"year\":\"1982\",\"rank\":\"90\"}"))
              .build();
      HttpResponse<String> refused = http.send(vote, HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      JsonNode problem = Json.MAPPER.readTree(refused.body());
      assertThat(problem.path("type").asText()).isEqualTo(Problem.UNAVAILABLE);
      assertThat(problem.path("voteId").asText()).isNotBlank();

      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body())
          .contains("quetzal_ingest_votes_rejected_total{channel=\"http\",reason=\"unavailable\"} 1.0")
          .contains("kafka_producer_"); // the producer's own metrics are bound
    }

    // closed: the port no longer accepts connections
    HttpRequest after = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/healthz")).timeout(Duration.ofSeconds(2)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpClient.newHttpClient().send(after, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
  }
}
