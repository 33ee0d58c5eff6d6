package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.devstack.MongoStandIn;
import gt.quetzal.devstack.RedisServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * A store goes away mid-run and comes back: the sink holds its batch (no commit, no skip), reports not
 * ready, and catches up exactly. Kafka is the devstack's; each test runs its own persistent store so a
 * restart keeps the data (a real Redis with AOF; the MongoDB stand-in on its H2 file backend).
 */
class SinksOutageIT {

  private static final List<String> BANDS = List.of("Alux Nahual", "Malacates Trébol Shop", "Viernes Verde");

  private static Devstack stack;

  @TempDir Path dir;

  @BeforeAll
  static void startKafka() {
    stack = Devstack.startEphemeral();
  }

  @AfterAll
  static void stopKafka() {
    if (stack != null) {
      stack.close();
    }
  }

  private static long committedRecords(String groupId) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      Map<?, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
      return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }
  }

  private static Map<String, Long> totals(RedisClient redis) {
    Map<String, Long> totals = new LinkedHashMap<>();
    redis.hgetAll(RedisKeys.BAND_TOTALS).forEach((band, total) -> totals.put(band, Long.parseLong(total)));
    return totals;
  }

  @Test
  void redisOutageHoldsTheBatchAndCatchesUpExactly() throws Exception {
    Path redisDir = dir.resolve("redis");
    RedisServer redisServer = RedisServer.start(0, redisDir, true);
    RedisServer restarted = null;
    SinksConfig config = ItSupport.config(stack.bootstrapServers(), redisServer.url(), stack.mongoUri());
    try (RedisClient redis = RedisClient.create(URI.create(redisServer.url()));
        KafkaProducer<String, Long> tallies = ItSupport.producer(stack.bootstrapServers(), Topics.TALLIES_BANDS);
        SinksMain.Running sinks = SinksMain.start(config)) {
      Map<String, Long> before = new LinkedHashMap<>();
      for (int i = 0; i < BANDS.size(); i++) {
        ItSupport.send(tallies, Topics.TALLIES_BANDS, BANDS.get(i), 10L + i);
        before.put(BANDS.get(i), 10L + i);
      }
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(totals(redis)).isEqualTo(before));
      long committedBefore = committedRecords(config.redisGroupId());
      assertThat(committedBefore).isEqualTo(BANDS.size());

      redisServer.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                ItSupport.HttpResult ready = ItSupport.get(sinks.httpPort(), "/readyz");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.body()).contains("redis is unreachable");
              });
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_store_up{store=\"redis\"}")).isZero();

      Map<String, Long> after = new LinkedHashMap<>();
      for (int i = 0; i < BANDS.size(); i++) {
        ItSupport.send(tallies, Topics.TALLIES_BANDS, BANDS.get(i), 20L + i);
        after.put(BANDS.get(i), 20L + i);
      }
      double failuresAtOutage = ItSupport.metric(sinks.httpPort(), "quetzal_sink_write_failures_total{store=\"redis\"}");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  // Held: what the first poll got; the other partitions stay paused, unread, uncommitted.
                  ItSupport.metric(sinks.httpPort(), "quetzal_sink_held_records{store=\"redis\"}") >= 1
                      && ItSupport.metric(sinks.httpPort(), "quetzal_sink_write_failures_total{store=\"redis\"}")
                          >= failuresAtOutage + 3);
      assertThat(committedRecords(config.redisGroupId())).as("nothing committed while Redis is down").isEqualTo(committedBefore);
      assertThat(ItSupport.get(sinks.httpPort(), "/healthz").status()).as("an outage is not a crash").isEqualTo(200);

      restarted = RedisServer.start(redisServer.port(), redisDir, true);
      // The test's own pooled connections died with the old server: tolerate their first failures.
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(totals(redis)).isEqualTo(after));
      await().atMost(Duration.ofSeconds(30)).until(() -> ItSupport.get(sinks.httpPort(), "/readyz").status() == 200);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> committedRecords(config.redisGroupId()) == 2L * BANDS.size());
    } finally {
      if (restarted != null) {
        restarted.close();
      }
      redisServer.close();
    }
  }

  @Test
  void mongoOutageHoldsTheBatchAndCatchesUpExactly() throws Exception {
    Path mongoDir = dir.resolve("mongo");
    MongoStandIn mongoServer = MongoStandIn.startPersistent(0, mongoDir);
    MongoStandIn restarted = null;
    SinksConfig config = ItSupport.config(stack.bootstrapServers(), stack.redisUrl(), mongoServer.uri());
    try (MongoClient mongo = MongoClients.create(mongoServer.uri());
        KafkaProducer<String, VoteEvent> votes = ItSupport.producer(stack.bootstrapServers(), Topics.VOTES_ACCEPTED);
        SinksMain.Running sinks = SinksMain.start(config)) {
      var collection = mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES);
      for (int i = 0; i < 50; i++) {
        sendVote(votes, i);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> collection.countDocuments() == 50);

      mongoServer.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                ItSupport.HttpResult ready = ItSupport.get(sinks.httpPort(), "/readyz");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.body()).contains("mongo is unreachable");
              });
      for (int i = 50; i < 100; i++) {
        sendVote(votes, i);
      }
      double failuresAtOutage = ItSupport.metric(sinks.httpPort(), "quetzal_sink_write_failures_total{store=\"mongo\"}");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  ItSupport.metric(sinks.httpPort(), "quetzal_sink_held_records{store=\"mongo\"}") >= 1
                      && ItSupport.metric(sinks.httpPort(), "quetzal_sink_write_failures_total{store=\"mongo\"}")
                          >= failuresAtOutage + 2);
      assertThat(committedRecords(config.mongoGroupId())).as("nothing committed while MongoDB is down").isEqualTo(50);

      restarted = MongoStandIn.startPersistent(mongoServer.port(), mongoDir);
      await().atMost(Duration.ofSeconds(60)).until(() -> collection.countDocuments() == 100);
      await().atMost(Duration.ofSeconds(30)).until(() -> committedRecords(config.mongoGroupId()) == 100);
      assertThat(collection.distinct("_id", String.class).into(new java.util.HashSet<>())).hasSize(100);
      await().atMost(Duration.ofSeconds(30)).until(() -> ItSupport.get(sinks.httpPort(), "/readyz").status() == 200);
    } finally {
      if (restarted != null) {
        restarted.close();
      }
      mongoServer.close();
    }
  }

  private static void sendVote(KafkaProducer<String, VoteEvent> producer, int i) {
    VoteEvent vote =
        new VoteEvent(
            "outage-" + i, "Malacates Trébol Shop", "Niño Dios", 2004, 1 + i % 100, null, "http",
            1_767_225_600_000L + i);
    ItSupport.send(producer, Topics.VOTES_ACCEPTED, vote.voteId(), vote);
  }
}
