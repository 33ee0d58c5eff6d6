package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.corpus.BadInputCorpus;
import gt.quetzal.ingest.corpus.CorpusRunner;
import gt.quetzal.ingest.grpc.IngestGrpcMain;
import gt.quetzal.ingest.http.IngestHttpMain;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import gt.quetzal.streams.runtime.StreamsMain;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The whole bad-input corpus ({@code gt.quetzal.ingest.corpus}, several hundred inputs) against the
 * real ingest services, HTTP and gRPC, on the devstack's broker with the Streams app and the sinks
 * running: every input is refused with its 4xx or INVALID_ARGUMENT, stalled requests are cut off,
 * and afterwards {@code votes.raw}, the Streams app's counters and the Redis tallies hold exactly
 * the valid control votes sent after the corpus, nothing else. Both services still answer.
 */
class BadInputCorpusIT {

  private static final Duration IDLE = Duration.ofSeconds(1);
  private static final int CONTROLS_PER_ROUTE = 5;

  private static InProcessStack stack;
  private static IngestHttpMain.Running ingestHttp;
  private static IngestGrpcMain.Running ingestGrpc;
  private static StreamsMain.Running streams;
  private static ManagedChannel channel;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startEverything() {
    stack = InProcessStack.builder()
        .streams()
        .sinks()
        .ingestHttp("HTTP_IDLE_TIMEOUT_MS", Long.toString(IDLE.toMillis()))
        .ingestGrpc()
        .start();
    streams = stack.streams();
    ingestHttp = stack.ingestHttp();
    ingestGrpc = stack.ingestGrpc();
    channel = ManagedChannelBuilder.forAddress("localhost", ingestGrpc.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static HealthCheckResponse.ServingStatus grpcHealth() {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
  }

  @Test
  void noInputOfTheCorpusReachesVotesRawOrTheTalliesAndBothRoutesStayHealthy() throws Exception {
    BadInputCorpus.Limits limits = BadInputCorpus.Limits.defaults(LocalDate.now(ZoneOffset.UTC).getYear() + 1);
    List<BadInputCorpus.HttpCase> httpCases = BadInputCorpus.http(limits);
    List<BadInputCorpus.GrpcCase> grpcCases = BadInputCorpus.grpc(limits);
    System.out.printf("bad-input corpus: %d HTTP, %d gRPC, %d slow inputs%n", httpCases.size(), grpcCases.size(), CorpusRunner.slowCases().size());
    assertThat(httpCases.size() + grpcCases.size() + CorpusRunner.slowCases().size()).isGreaterThanOrEqualTo(200);

    // Healthy before the corpus (gRPC health is refreshed on a poll, after ingest read the contest),
    // so "still healthy" below says something about the corpus.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> grpcHealth() == HealthCheckResponse.ServingStatus.SERVING);
    CorpusRunner runner = new CorpusRunner();
    URI httpBase = URI.create("http://localhost:" + ingestHttp.httpPort());
    assertThat(runner.checkAll(httpBase, httpCases)).isEmpty();
    assertThat(runner.checkAll(channel, grpcCases)).isEmpty();
    assertThat(runner.checkSlow("localhost", ingestHttp.httpPort(), IDLE.multipliedBy(15))).isEmpty();

    // still healthy
    assertThat(get(httpBase.resolve("/healthz"))).isEqualTo(200);
    assertThat(get(URI.create("http://localhost:" + ingestGrpc.httpPort() + "/healthz"))).isEqualTo(200);
    assertThat(grpcHealth()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    // the control votes, after the corpus: each route still accepts a valid vote
    Map<String, Long> expectedBands = new HashMap<>();
    for (int i = 0; i < CONTROLS_PER_ROUTE; i++) {
      String id = "control-http-vote-" + i;
      HttpResponse<String> accepted =
          http.send(
              HttpRequest.newBuilder(httpBase.resolve("/votes"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(BadInputCorpus.voteWith("voteId", BadInputCorpus.json(id))))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      expectedBands.merge("Malacates Trébol Shop", 1L, Long::sum);

      Vote vote = Vote.newBuilder().setName("Alux Nahual").setAlbum("Conquista").setYear(1983).setRank(90).setVoteId("control-grpc-vote-" + i).build();
      assertThat(VoteServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).cast(vote).getVoteId())
          .isEqualTo("control-grpc-vote-" + i);
      expectedBands.merge("Alux Nahual", 1L, Long::sum);
    }
    int controls = 2 * CONTROLS_PER_ROUTE;

    // votes.raw holds the controls and nothing else (they were acknowledged last, so all is in)
    List<String> raw = readAllOfVotesRaw();
    assertThat(raw).hasSize(controls).allSatisfy(id -> assertThat(id).startsWith("control-"));

    // the Streams app counted exactly the controls, and rejected nothing
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              JsonNode stats = streamsStats();
              assertThat(stats.path("accepted").asLong()).isEqualTo(controls);
              assertThat(stats.path("rejected").asLong()).isZero();
              assertThat(stats.path("duplicates").asLong()).isZero();
            });

    // and the tallies the page and Grafana read show only the controls
    Map<String, String> expectedHash = new HashMap<>();
    expectedBands.forEach((band, count) -> expectedHash.put(band, Long.toString(count)));
    try (RedisClient redis = RedisClient.create(URI.create(stack.redisUrl()))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(redis.hgetAll(RedisKeys.BAND_TOTALS)).isEqualTo(expectedHash));
    }
  }

  private static List<String> readAllOfVotesRaw() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> ids = new ArrayList<>();
    try (KafkaConsumer<String, VoteEvent> consumer =
        new KafkaConsumer<>(props, Topics.VOTES_RAW.keySerde().deserializer(), Topics.VOTES_RAW.valueSerde().deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.VOTES_RAW.name(), Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      // Read to the end offsets taken above; 60 s only bounds the wait (the poll runs on this thread).
      await()
          .atMost(Duration.ofSeconds(60))
          .pollDelay(Duration.ZERO)
          .pollInSameThread()
          .until(
              () -> {
                for (ConsumerRecord<String, VoteEvent> record : consumer.poll(Duration.ofMillis(200))) {
                  assertThat(record.key()).isEqualTo(record.value().voteId());
                  ids.add(record.value().voteId());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
              });
    }
    return ids;
  }

  private static JsonNode streamsStats() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + streams.httpPort() + "/api/stats")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  private static int get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
