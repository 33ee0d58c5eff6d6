package gt.quetzal.ingest.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.ingest.core.UuidV7Generator;
import gt.quetzal.ingest.core.VoteRules;
import gt.quetzal.ingest.core.VoteValidator;
import gt.quetzal.ingest.http.IngestHttpApp;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.ingest.testing.ControlledPublisher;
import gt.quetzal.ingest.testing.InProcessGrpc;
import gt.quetzal.proto.v1.CastReply;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.javalin.testtools.JavalinTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The whole {@link BadInputCorpus} through both front doors in process: every input gets its 4xx
 * (problem+json naming the field) or INVALID_ARGUMENT (BadRequest naming the field), stalled
 * requests are cut off at the idle timeout, nothing reaches the publisher, and both servers still
 * answer afterwards. The e2e {@code BadInputCorpusIT} runs the same corpus on a real broker.
 */
class BadInputCorpusTest {

  private static final BadInputCorpus.Limits LIMITS = BadInputCorpus.Limits.defaults(2027); // InProcessGrpc.NOW is 2026
  private static final Duration IDLE = Duration.ofMillis(500);

  @Test
  void theCorpusHasAtLeastTwoHundredDistinctInputsAcrossBothRoutes() {
    List<BadInputCorpus.HttpCase> http = BadInputCorpus.http(LIMITS);
    List<BadInputCorpus.GrpcCase> grpc = BadInputCorpus.grpc(LIMITS);
    assertThat(http.size() + grpc.size() + CorpusRunner.slowCases().size()).isGreaterThanOrEqualTo(200);
    assertThat(grpc).hasSizeGreaterThanOrEqualTo(60);
    assertThat(Stream.concat(http.stream().map(Object::toString), grpc.stream().map(Object::toString)).distinct().count())
        .isEqualTo(http.size() + grpc.size());
    assertThat(http).allSatisfy(c -> assertThat(c.status()).isBetween(400, 499));
  }

  @Test
  void everyHttpInputGetsAClear4xxAndNothingIsPublished() {
    ControlledPublisher publisher = new ControlledPublisher();
    publisher.autoAck = true;
    IngestHttpConfig config = IngestHttpConfig.fromEnv(Map.of("HTTP_IDLE_TIMEOUT_MS", Long.toString(IDLE.toMillis())));
    VoteValidator validator =
        new VoteValidator(VoteRules.DEFAULT, Clock.fixed(InProcessGrpc.NOW, ZoneOffset.UTC), new UuidV7Generator(Clock.systemUTC())::nextString);
    IngestHttpApp app = new IngestHttpApp(validator, publisher, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), config);
    JavalinTest.test(
        app.create(),
        (server, client) -> {
          URI base = URI.create("http://localhost:" + server.port());
          CorpusRunner runner = new CorpusRunner();
          assertThat(runner.checkAll(base, BadInputCorpus.http(LIMITS))).isEmpty();
          assertThat(runner.checkSlow("localhost", server.port(), IDLE.multipliedBy(20))).isEmpty();
          assertThat(publisher.nothingPublished()).as("nothing bad reaches Kafka").isTrue();

          // still healthy: liveness, and a good vote goes through
          HttpClient http = HttpClient.newHttpClient();
          assertThat(http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
              .isEqualTo(200);
          HttpResponse<String> good =
              http.send(
                  HttpRequest.newBuilder(base.resolve("/votes"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(BadInputCorpus.GOOD_JSON))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(good.statusCode()).as(good.body()).isEqualTo(202);
          assertThat(publisher.next().vote().name()).isEqualTo("Malacates Trébol Shop");
        });
  }

  @Test
  void everyGrpcInputGetsInvalidArgumentAndNothingIsPublished() throws Exception {
    ControlledPublisher publisher = new ControlledPublisher();
    publisher.autoAck = true;
    try (InProcessGrpc grpc = new InProcessGrpc(publisher)) {
      assertThat(new CorpusRunner().checkAll(grpc.channel, BadInputCorpus.grpc(LIMITS))).isEmpty();
      assertThat(publisher.nothingPublished()).as("nothing bad reaches Kafka").isTrue();

      CastReply reply = VoteServiceGrpc.newBlockingStub(grpc.channel).withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
          .cast(BadInputCorpus.GOOD_VOTE);
      assertThat(reply.getVoteId()).isNotBlank();
    }
  }
}
