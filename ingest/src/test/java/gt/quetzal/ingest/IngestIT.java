package gt.quetzal.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.ingest.grpc.IngestGrpcConfig;
import gt.quetzal.ingest.grpc.IngestGrpcMain;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.ingest.http.IngestHttpMain;
import gt.quetzal.ingest.testing.AckCollector;
import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
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
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Both front doors on a real broker: what they accept is in {@code votes.raw} keyed by voteId with
 * the right fields; once the broker is gone they answer 503 / UNAVAILABLE, never 202 / OK. One
 * devstack for the class keeps the wall time small; the broker-stopping test runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestIT {

  private static Devstack stack;
  private static IngestHttpMain.Running httpService;
  private static IngestGrpcMain.Running grpcService;
  private static ManagedChannel channel;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String RUN = UUID.randomUUID().toString(); // makes every voteId here longer than the 16-character minimum

  @BeforeAll
  static void start() throws InterruptedException {
    stack = Devstack.startEphemeral();
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
    env.put("KAFKA_MAX_BLOCK_MS", "500");
    env.put("KAFKA_REQUEST_TIMEOUT_MS", "500");
    env.put("KAFKA_DELIVERY_TIMEOUT_MS", "1000");
    env.put("KAFKA_HEALTH_TIMEOUT_MS", "500");
    env.put("KAFKA_HEALTH_CACHE_MS", "0");
    env.put("HEALTH_POLL_MS", "100");
    env.put("SHUTDOWN_TIMEOUT_MS", "3000"); // at least the publish timeout (2500)
    env.put("HTTP_PORT", "0");
    httpService = IngestHttpMain.start(IngestHttpConfig.fromEnv(env));
    env.put("GRPC_PORT", "0");
    grpcService = IngestGrpcMain.start(IngestGrpcConfig.fromEnv(env));
    httpService.awaitContest(java.time.Duration.ofSeconds(60));
    grpcService.awaitContest(java.time.Duration.ofSeconds(60));
    channel = Grpc.newChannelBuilderForAddress("localhost", grpcService.grpcPort(), InsecureChannelCredentials.create()).build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }
    if (grpcService != null) {
      grpcService.close();
    }
    if (httpService != null) {
      httpService.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + httpService.httpPort() + path))
            .timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The publisher's fail-fast counter, read from the service's Prometheus page. */
  private static double failedFast(int metricsPort) throws Exception {
    HttpResponse<String> metrics =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + metricsPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    return metrics.body().lines()
        .filter(line -> line.startsWith("quetzal_ingest_votes_failed_fast_total"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no quetzal_ingest_votes_failed_fast_total on :" + metricsPort));
  }

  private static String voteJson(String voteId, String name, int rank) {
    return "{\"name\":\"" + name + "\",\"album\":\"Resaca\",\"year\":\"2002\",\"rank\":\"" + rank + "\",\"voteId\":\"" + voteId + "\"}";
  }

  private static Vote vote(String voteId, int rank) {
    return Vote.newBuilder().setName("Alux Nahual").setAlbum("Alux Nahual").setYear(1982).setRank(rank).setVoteId(voteId).build();
  }

  /** Every record of votes.raw from the start, by key, until {@code expected} keys are there. */
  private static Map<String, ConsumerRecord<String, VoteEvent>> readRaw(List<String> expected) {
    Map<String, ConsumerRecord<String, VoteEvent>> seen = new ConcurrentHashMap<>();
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "ingest-it-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, VoteEvent> consumer =
        new KafkaConsumer<>(props, Topics.VOTES_RAW.keySerde().deserializer(), Topics.VOTES_RAW.valueSerde().deserializer())) {
      consumer.subscribe(List.of(Topics.VOTES_RAW.name()));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.put(r.key(), r));
                return seen.keySet().containsAll(expected);
              });
    }
    return seen;
  }

  @Test
  @Order(1)
  void acceptedVotesFromBothRoutesAreInVotesRawKeyedByVoteId() throws Exception {
    long before = System.currentTimeMillis();
    String nfd = Normalizer.normalize("Malacates Trébol Shop", Normalizer.Form.NFD);

    HttpResponse<String> single = post("/votes", voteJson("http-" + RUN, nfd, 87));
    assertThat(single.statusCode()).as(single.body()).isEqualTo(202);
    HttpResponse<String> batch =
        post("/votes/batch", "[" + voteJson("batch-a-" + RUN, "Bohemia Suburbana", 70) + ",{\"name\":\"x\"},"
            + voteJson("batch-b-" + RUN, "Viento en Contra", 99) + "]");
    assertThat(batch.statusCode()).as(batch.body()).isEqualTo(202);
    JsonNode batchBody = Json.MAPPER.readTree(batch.body());
    assertThat(batchBody.path("accepted")).hasSize(2);
    assertThat(batchBody.path("rejected").get(0).path("index").asInt()).isEqualTo(1);

    VoteServiceGrpc.VoteServiceBlockingStub stub = VoteServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThat(stub.cast(vote("grpc-" + RUN, 90)).getVoteId()).isEqualTo("grpc-" + RUN);

    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> stream = VoteServiceGrpc.newStub(channel).castStream(acks);
    stream.onNext(
        CastStreamRequest.newBuilder()
            .setFirstSequence(1)
            .addVotes(vote("stream-1-" + RUN, 50))
            .addVotes(vote("stream-2-" + RUN, 51))
            .build());
    stream.onNext(CastStreamRequest.newBuilder().setFirstSequence(3).addVotes(vote("stream-3-" + RUN, 52)).build());
    stream.onCompleted();
    Map<Long, CastStreamAck.Result> bySequence = new HashMap<>();
    for (int i = 0; i < 2; i++) { // one ack per run, in whichever order Kafka settled them
      for (CastStreamAck.Result result : acks.next().getResultsList()) {
        bySequence.put(result.getSequence(), result);
      }
    }
    assertThat(bySequence).containsOnlyKeys(1L, 2L, 3L);
    assertThat(bySequence.values()).allMatch(result -> result.getOutcome() == CastStreamAck.Outcome.ACCEPTED);
    assertThat(bySequence.get(2L).getVoteId()).isEqualTo("stream-2-" + RUN);
    assertThat(bySequence.get(3L).getVoteId()).isEqualTo("stream-3-" + RUN);
    assertThat(acks.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    long after = System.currentTimeMillis();

    List<String> ids =
        List.of(
            "http-" + RUN, "batch-a-" + RUN, "batch-b-" + RUN, "grpc-" + RUN, "stream-1-" + RUN, "stream-2-" + RUN,
            "stream-3-" + RUN);
    Map<String, ConsumerRecord<String, VoteEvent>> raw = readRaw(ids);
    for (String id : ids) {
      ConsumerRecord<String, VoteEvent> record = raw.get(id);
      assertThat(record.key()).isEqualTo(id);
      assertThat(record.value().voteId()).isEqualTo(id);
      assertThat(record.value().receivedAt()).isBetween(before, after);
      // votes.raw is stamped by the broker on append; the producer's stamp is the value's receivedAt.
      assertThat(record.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
      assertThat(record.timestamp()).isBetween(record.value().receivedAt(), System.currentTimeMillis());
      assertThat(record.value().channel()).isEqualTo(id.startsWith("http") || id.startsWith("batch") ? "http" : "grpc");
    }
    assertThat(raw.get("http-" + RUN).value())
        .isEqualTo(new VoteEvent("http-" + RUN, "Malacates Trébol Shop", "Resaca", 2002, 87, null, "http", raw.get("http-" + RUN).value().receivedAt()));
    assertThat(raw.get("grpc-" + RUN).value())
        .isEqualTo(new VoteEvent("grpc-" + RUN, "Alux Nahual", "Alux Nahual", 1982, 90, null, "grpc", raw.get("grpc-" + RUN).value().receivedAt()));
    assertThat(raw.get("batch-b-" + RUN).value().rank()).isEqualTo(99);
    assertThat(raw.get("stream-2-" + RUN).value().rank()).isEqualTo(51);
  }

  @Test
  @Order(2)
  void healthIsServingWhileTheBrokerIsUp() throws Exception {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING);
    HttpResponse<String> ready =
        HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + grpcService.httpPort() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
  }

  @Test
  @Order(3)
  void withTheBrokerStoppedHttpAnswers503AndGrpcUnavailableNeverAccepted() throws Exception {
    stack.kafkaBroker().halt();

    HttpResponse<String> single = post("/votes", voteJson("down-http-" + RUN, "Alux Nahual", 80));
    assertThat(single.statusCode()).as(single.body()).isEqualTo(503);
    assertThat(single.headers().firstValue("Retry-After")).isPresent();
    assertThat(Json.MAPPER.readTree(single.body()).path("voteId").asText()).isEqualTo("down-http-" + RUN);

    // 40 votes: without the publisher's fail-fast each would block max.block.ms in turn. The fail-fast
    // itself is asserted from its counter, not from the client's timeout (15 s, only a bound here).
    double failedFastBefore = failedFast(httpService.opsPort());
    List<String> downBatch = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      downBatch.add(voteJson("down-batch-" + i + "-" + RUN, "Alux Nahual", 80));
    }
    HttpResponse<String> batch = post("/votes/batch", "[" + String.join(",", downBatch) + "]");
    assertThat(batch.statusCode()).as(batch.body()).isEqualTo(503);
    assertThat(batch.headers().firstValue("Retry-After")).isPresent();
    JsonNode unavailable = Json.MAPPER.readTree(batch.body()).path("unavailable");
    assertThat(unavailable).hasSize(40);
    assertThat(unavailable.get(39).path("voteId").asText()).isEqualTo("down-batch-39-" + RUN);
    assertThat(failedFast(httpService.opsPort()) - failedFastBefore)
        .as("votes of the batch failed at once, unsent, after one waited max.block.ms")
        .isPositive();

    StatusRuntimeException refused =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> VoteServiceGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS).cast(vote("down-grpc-" + RUN, 80)));
    assertThat(refused).as("Cast must fail").isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

    double grpcFailedFastBefore = failedFast(grpcService.httpPort());
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> stream = VoteServiceGrpc.newStub(channel).castStream(acks);
    CastStreamRequest.Builder downRun = CastStreamRequest.newBuilder().setFirstSequence(100);
    for (int i = 0; i < 20; i++) {
      downRun.addVotes(vote("down-stream-" + i + "-" + RUN, 80));
    }
    stream.onNext(downRun.build());
    stream.onCompleted();
    List<CastStreamAck.Result> results = acks.next().getResultsList();
    assertThat(results).extracting(CastStreamAck.Result::getSequence)
        .containsExactlyElementsOf(java.util.stream.LongStream.range(100, 120).boxed().toList());
    for (CastStreamAck.Result result : results) {
      assertThat(result.getOutcome()).isEqualTo(CastStreamAck.Outcome.UNAVAILABLE);
      assertThat(result.getRetryAfterMs()).isPositive();
    }
    assertThat(results.get(19).getVoteId()).isEqualTo("down-stream-19-" + RUN);
    assertThat(failedFast(grpcService.httpPort()) - grpcFailedFastBefore)
        .as("votes of the run failed at once, unsent")
        .isPositive();
    assertThat(acks.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);

    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.NOT_SERVING);
  }
}
