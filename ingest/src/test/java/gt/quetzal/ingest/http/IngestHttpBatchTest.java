package gt.quetzal.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.UuidV7Generator;
import gt.quetzal.ingest.core.VoteRules;
import gt.quetzal.ingest.core.VoteValidator;
import gt.quetzal.ingest.testing.ControlledPublisher;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;

class IngestHttpBatchTest {

  private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
  private static final String SEED = "{\"name\":\"Malacates Trébol Shop\",\"album\":\"Resaca\",\"year\":\"2002\",\"rank\":\"87\"}";
  private static final String BAD_RANK = "{\"name\":\"Alux Nahual\",\"album\":\"Alux Nahual\",\"year\":1982,\"rank\":0}";

  private final ControlledPublisher publisher = new ControlledPublisher();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newHttpClient();
  private IngestHttpConfig config = IngestHttpConfig.fromEnv(Map.of("RETRY_AFTER_SECONDS", "3"));

  private Javalin app() {
    VoteValidator validator =
        new VoteValidator(VoteRules.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC), new UuidV7Generator(Clock.systemUTC())::nextString);
    return new IngestHttpApp(validator, publisher, registry, config).create();
  }

  private CompletableFuture<HttpResponse<String>> postAsync(Javalin server, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/votes/batch"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String array(String... votes) {
    return "[" + String.join(",", votes) + "]";
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.MAPPER.readTree(response.body());
  }

  private static List<Integer> indexes(JsonNode list) {
    List<Integer> result = new ArrayList<>();
    list.forEach(item -> result.add(item.path("index").asInt()));
    return result;
  }

  @Test
  void validItemsAreAcceptedAndInvalidOnesReportedByIndexOnlyAfterKafkaAckedAll() {
    JavalinTest.test(
        app(),
        (server, client) -> {
          String withId = SEED.replace("}", ",\"voteId\":\"batch-vote-00002\"}");
          CompletableFuture<HttpResponse<String>> response = postAsync(server, array(SEED, BAD_RANK, withId, "\"oops\""));
          ControlledPublisher.Pending first = publisher.next();
          ControlledPublisher.Pending third = publisher.next();
          assertThat(publisher.nothingPublished()).isTrue();

          // No window of "still no answer": the answer records whether the last vote was acknowledged
          // when it came.
          CompletableFuture<Boolean> allAckedWhenAnswered = response.handle((answer, error) -> third.future().isDone());
          first.ack();
          assertThat(response).as("no answer while a vote is unacknowledged").isNotDone();
          third.ack();

          HttpResponse<String> answered = response.get(5, TimeUnit.SECONDS);
          assertThat(answered.statusCode()).isEqualTo(202);
          assertThat(allAckedWhenAnswered.get(5, TimeUnit.SECONDS)).as("the answer came after every ack").isTrue();
          assertThat(answered.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
          assertThat(answered.headers().firstValue("Retry-After")).isEmpty();
          JsonNode body = json(answered);
          assertThat(indexes(body.path("accepted"))).containsExactly(0, 2);
          assertThat(body.path("accepted").get(0).path("voteId").asText()).isEqualTo(first.vote().voteId());
          assertThat(body.path("accepted").get(1).path("voteId").asText()).isEqualTo("batch-vote-00002");
          assertThat(indexes(body.path("rejected"))).containsExactly(1, 3);
          assertThat(body.path("rejected").get(0).path("errors").get(0).path("field").asText()).isEqualTo("rank");
          assertThat(body.path("rejected").get(0).path("errors").get(0).path("code").asText()).isEqualTo("out_of_range");
          assertThat(body.path("rejected").get(1).path("errors").get(0).path("field").asText()).isEqualTo("vote");
          assertThat(body.path("unavailable")).isEmpty();

          assertThat(first.vote())
              .isEqualTo(new VoteEvent(first.vote().voteId(), "Malacates Trébol Shop", "Resaca", 2002, 87, null, "http", NOW.toEpochMilli()));
          assertThat(registry.get("quetzal.ingest.votes.accepted").counter().count()).isEqualTo(2.0);
          assertThat(registry.get("quetzal.ingest.votes.rejected").tag("reason", "invalid").counter().count()).isEqualTo(2.0);
          assertThat(registry.get("quetzal.ingest.http.batch.size").summary().totalAmount()).isEqualTo(4.0);
        });
  }

  @Test
  void votesKafkaFailedAreListedUnavailableWithRetryAfterNextToTheAcceptedOnes() {
    JavalinTest.test(
        app(),
        (server, client) -> {
          CompletableFuture<HttpResponse<String>> response = postAsync(server, array(SEED, SEED));
          ControlledPublisher.Pending first = publisher.next();
          ControlledPublisher.Pending second = publisher.next();
          first.ack();
          second.fail(new NotEnoughReplicasException("not enough in-sync replicas"));

          HttpResponse<String> answered = response.get(5, TimeUnit.SECONDS);
          assertThat(answered.statusCode()).isEqualTo(202);
          assertThat(answered.headers().firstValue("Retry-After")).hasValue("3");
          JsonNode body = json(answered);
          assertThat(indexes(body.path("accepted"))).containsExactly(0);
          assertThat(indexes(body.path("unavailable"))).containsExactly(1);
          assertThat(body.path("unavailable").get(0).path("voteId").asText()).isEqualTo(second.vote().voteId());
          assertThat(registry.get("quetzal.ingest.votes.rejected").tag("reason", "unavailable").counter().count()).isEqualTo(1.0);
        });
  }

  @Test
  void whenNothingWasAcceptedAndKafkaFailedTheAnswerIs503ProblemWithTheLists() {
    JavalinTest.test(
        app(),
        (server, client) -> {
          CompletableFuture<HttpResponse<String>> response = postAsync(server, array(SEED, BAD_RANK));
          publisher.next().fail(new NotEnoughReplicasException("not enough in-sync replicas"));

          HttpResponse<String> answered = response.get(5, TimeUnit.SECONDS);
          assertThat(answered.statusCode()).isEqualTo(503);
          assertThat(answered.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
          assertThat(answered.headers().firstValue("Retry-After")).hasValue("3");
          JsonNode body = json(answered);
          assertThat(body.path("type").asText()).isEqualTo(Problem.UNAVAILABLE);
          assertThat(body.path("detail").asText()).doesNotContain("NotEnoughReplicasException", "in-sync");
          assertThat(body.path("accepted")).isEmpty();
          assertThat(indexes(body.path("rejected"))).containsExactly(1);
          assertThat(indexes(body.path("unavailable"))).containsExactly(0);
          assertThat(registry.get("quetzal.ingest.votes.accepted").counter().count()).isZero();
        });
  }

  @Test
  void noAnswerFromKafkaWithinThePublishTimeoutMakesTheRestUnavailable() {
    config = IngestHttpConfig.fromEnv(Map.of("PUBLISH_TIMEOUT_MS", "200"));
    JavalinTest.test(
        app(),
        (server, client) -> {
          CompletableFuture<HttpResponse<String>> response = postAsync(server, array(SEED, SEED));
          publisher.next().ack();
          ControlledPublisher.Pending silent = publisher.next();

          HttpResponse<String> answered = response.get(5, TimeUnit.SECONDS);
          assertThat(answered.statusCode()).isEqualTo(202);
          JsonNode body = json(answered);
          assertThat(indexes(body.path("accepted"))).containsExactly(0);
          assertThat(body.path("unavailable").get(0).path("voteId").asText()).isEqualTo(silent.vote().voteId());
        });
  }

  @Test
  void aFullBatchOfTheDefaultMaximumFitsTheDefaultBodyLimit() {
    publisher.autoAck = true;
    JavalinTest.test(
        app(),
        (server, client) -> {
          String batch = "[" + String.join(",", Collections.nCopies(1_000, SEED)) + "]";
          HttpResponse<String> answered = postAsync(server, batch).get(10, TimeUnit.SECONDS);
          assertThat(answered.statusCode()).isEqualTo(202);
          assertThat(json(answered).path("accepted")).hasSize(1_000);

          String tooMany = "[" + String.join(",", Collections.nCopies(1_001, SEED)) + "]";
          HttpResponse<String> refused = postAsync(server, tooMany).get(10, TimeUnit.SECONDS);
          assertThat(refused.statusCode()).isEqualTo(413);
          assertThat(json(refused).path("type").asText()).isEqualTo(Problem.BATCH_TOO_LARGE);
          assertThat(json(refused).path("detail").asText()).contains("at most 1000 votes");
        });
  }

  @Test
  void aBatchOverTheByteLimitIs413WithThatLimit() {
    config = IngestHttpConfig.fromEnv(Map.of("MAX_BATCH_BODY_BYTES", "2048"));
    JavalinTest.test(
        app(),
        (server, client) -> {
          HttpResponse<String> refused = postAsync(server, "[" + String.join(",", Collections.nCopies(40, SEED)) + "]").get(5, TimeUnit.SECONDS);
          assertThat(refused.statusCode()).isEqualTo(413);
          assertThat(json(refused).path("type").asText()).isEqualTo(Problem.BODY_TOO_LARGE);
          assertThat(json(refused).path("detail").asText()).contains("2048 bytes");
          assertThat(publisher.nothingPublished()).isTrue();
        });
  }

  @Test
  void getOnTheBatchPathIs405() {
    JavalinTest.test(
        app(),
        (server, client) -> {
          HttpResponse<String> response =
              http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/votes/batch")).build(), HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).isEqualTo(405);
          assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        });
  }
}
