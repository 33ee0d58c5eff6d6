package gt.quetzal.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import gt.quetzal.contract.Json;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real wiring (Netty, KafkaProducer, admin probe, Jetty) against a port where no broker
 * listens: the service must start anyway, report NOT_SERVING, and answer UNAVAILABLE, never OK.
 */
class IngestGrpcMainTest {

  private static final Vote VOTE =
      Vote.newBuilder().setName("Alux Nahual").setAlbum("Alux Nahual").setYear(1982).setRank(90).build();

  @Test
  void withoutABrokerItServesHealthButRefusesVotesWithUnavailable() throws Exception {
    IngestGrpcConfig config =
        IngestGrpcConfig.fromEnv(
            Map.of(
                "GRPC_PORT", "0",
                "HTTP_PORT", "0",
                "GRPC_MAX_INBOUND_MESSAGE_BYTES", "1024",
                "KAFKA_BOOTSTRAP_SERVERS", "localhost:" + gt.quetzal.ingest.testing.ClosedPort.port(),
                "KAFKA_MAX_BLOCK_MS", "500",
                "KAFKA_REQUEST_TIMEOUT_MS", "500",
                "KAFKA_DELIVERY_TIMEOUT_MS", "1000",
                "KAFKA_HEALTH_TIMEOUT_MS", "500",
                "SHUTDOWN_TIMEOUT_MS", "3000"));
    HttpClient http = HttpClient.newHttpClient();
    int grpcPort;
    int httpPort;
    try (IngestGrpcMain.Running running = IngestGrpcMain.start(config)) {
      grpcPort = running.grpcPort();
      httpPort = running.httpPort();
      assertThat(grpcPort).isPositive();
      assertThat(httpPort).isPositive().isNotEqualTo(grpcPort);
      String base = "http://localhost:" + httpPort;
      ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", grpcPort, InsecureChannelCredentials.create()).build();
      try {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);

        StatusRuntimeException refused =
            catchThrowableOfType(
                StatusRuntimeException.class,
                () -> VoteServiceGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS).cast(VOTE));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        com.google.rpc.Status details = StatusProto.fromThrowable(refused);
        assertThat(details.getDetailsList()).anyMatch(any -> any.is(RetryInfo.class));

        // the inbound limit is enforced by the real transport
        Vote huge = VOTE.toBuilder().setAlbum("x".repeat(2_000)).build();
        StatusRuntimeException tooBig =
            catchThrowableOfType(
                StatusRuntimeException.class,
                () -> VoteServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).cast(huge));
        assertThat(tooBig.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      } finally {
        channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }

      assertThat(send(http, base + "/healthz").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = send(http, base + "/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(Json.MAPPER.readTree(ready.body()).path("reasons").path(0).asText()).contains("Kafka unreachable");
      HttpResponse<String> metrics = send(http, base + "/metrics");
      assertThat(metrics.body())
          .contains("quetzal_ingest_votes_rejected_total{channel=\"grpc\",reason=\"unavailable\"} 1.0")
          .contains("quetzal_ingest_grpc_votes_seconds_bucket{")
          .contains("kafka_producer_");
    }

    HttpRequest after = HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/healthz")).timeout(Duration.ofSeconds(2)).build();
    assertThatThrownBy(() -> HttpClient.newHttpClient().send(after, HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> new java.net.Socket("localhost", grpcPort).close()).isInstanceOf(ConnectException.class);
  }

  private static HttpResponse<String> send(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
