package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.ingest.testing.AckCollector;
import gt.quetzal.load.recount.Comparison;
import gt.quetzal.load.recount.Recount;
import gt.quetzal.load.recount.RecountConfig;
import gt.quetzal.load.recount.RecountMain;
import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * {@code ./quetzal recount} on the whole stack: votes on all four routes, a duplicate and a record
 * only the streams app can reject; the recount agrees, then catches each of three alterations of
 * Redis that the page or Grafana would show.
 */
class RecountIT {

  private static final String RUN = Long.toString(System.nanoTime(), 36);
  private static InProcessStack stack;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startAndVote() throws Exception {
    stack = InProcessStack.builder().streams().sinks().ingestHttp().ingestGrpc().start();
    URI ingest = stack.ingestUrl();
    // HTTP single, twice under one Idempotency-Key: one vote, one duplicate.
    for (int i = 0; i < 2; i++) {
      post(ingest.resolve("/votes"), "{\"name\":\"Alux Nahual\",\"album\":\"Conquista\",\"year\":1985,\"rank\":90}",
          "recount-http-" + RUN + "-000001");
    }
    post(ingest.resolve("/votes/batch"),
        "[{\"name\":\"Bohemia Suburbana\",\"album\":\"Bohemia Suburbana\",\"year\":1992,\"rank\":70},"
            + "{\"name\":\"Alux Nahual\",\"album\":\"Centuria\",\"year\":1987,\"rank\":55}]", null);
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", stack.ingestGrpc().grpcPort()).usePlaintext().build();
    try {
      VoteServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .cast(Vote.newBuilder().setName("Alux Nahual").setAlbum("Hielo y Fuego").setYear(1983).setRank(100).build());
      AckCollector acks = new AckCollector();
      StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(channel).castStream(acks);
      requests.onNext(CastStreamRequest.newBuilder().setFirstSequence(1)
          .addVotes(Vote.newBuilder().setName("Bohemia Suburbana").setAlbum("Bohemia Suburbana").setYear(1992).setRank(12))
          .addVotes(Vote.newBuilder().setName("Alux Nahual").setAlbum("Conquista").setYear(1985).setRank(1))
          .build());
      assertThat(acks.next().getResultsList())
          .allMatch(r -> r.getOutcome() == CastStreamAck.Outcome.ACCEPTED);
      requests.onCompleted();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // A record that never went through ingest: the streams app rejects it as unparseable.
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.VOTES_RAW.name(), "junk-" + RUN, "{not json".getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static void post(URI uri, String body, String idempotencyKey) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isIn(202, 200);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static Recount.Verdict recount(int settleSeconds) {
    RecountConfig config = new RecountConfig(
        stack.bootstrapServers(), URI.create(stack.redisUrl()), stack.mongoUri(), Duration.ofSeconds(settleSeconds));
    return RecountMain.recount(config, stack.redis(), stack.mongo());
  }

  @Test
  void theRecountAgreesWithWhatRedisServesThenNamesEveryAlteration() {
    Recount.Verdict agreed = recount(60);
    assertThat(agreed.agrees()).as(agreed.toString()).isTrue();
    assertThat(agreed.fromKafka().stats())
        .containsEntry("accepted", 6L)
        .containsEntry("duplicates", 1L)
        .containsEntry("rejected", 1L)
        .containsEntry("rejected.unparseable", 1L);
    assertThat(agreed.fromKafka().albums().get(new AlbumKey("Alux Nahual", "Conquista").label()).rankSum())
        .isEqualTo(91L);

    RedisClient redis = stack.redis();
    String album = new AlbumKey("Alux Nahual", "Conquista").label();
    String minuteKey = RedisKeys.bandMinutes("Bohemia Suburbana");
    String minute = redis.hkeys(minuteKey).iterator().next();
    String minuteCount = redis.hget(minuteKey, minute);
    redis.hincrBy(RedisKeys.ALBUM_TOTALS, album, 1);
    redis.hdel(minuteKey, minute);
    redis.hincrBy(RedisKeys.STATS, "duplicates", 5);
    try {
      Recount.Verdict altered = recount(0);
      assertThat(altered.agrees()).isFalse();
      assertThat(differing(altered.kafka()))
          .containsExactlyInAnyOrder(
              "album totals: " + album + ": recount 2, redis 3",
              "votes per minute: Bohemia Suburbana @ " + Instant.ofEpochMilli(Long.parseLong(minute))
                  + ": recount " + minuteCount + ", redis none",
              "stats: duplicates: recount 1, redis 6");
      // MongoDB has no duplicates to recount: only the other two alterations show against it.
      assertThat(differing(altered.mongo())).hasSize(2);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit = RecountMain.run(
          Map.of("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(), "REDIS_URL", stack.redisUrl(),
              "MONGO_URI", stack.mongoUri(), "RECOUNT_SETTLE_SECONDS", "0"),
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
      assertThat(exit).isEqualTo(1);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .contains("kafka, album totals: " + album + ": recount 2, redis 3")
          .endsWith("DIFFER: see the lines above\n");
    } finally {
      redis.hincrBy(RedisKeys.ALBUM_TOTALS, album, -1);
      redis.hset(minuteKey, minute, minuteCount);
      redis.hincrBy(RedisKeys.STATS, "duplicates", -5);
    }
    assertThat(recount(0).agrees()).isTrue();
  }

  private static List<String> differing(List<Comparison.Line> lines) {
    return lines.stream()
        .flatMap(line -> line.differences().stream().map(d -> line.aggregate() + ": " + d))
        .toList();
  }
}
