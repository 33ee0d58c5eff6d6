package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.devstack.MongoStandIn;
import gt.quetzal.devstack.RedisServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * A store goes away mid-run, while records keep arriving, until the sink has failed three more writes,
 * and comes back: the sink holds its batch (no commit, no skip), reports not ready with the store-up gauge at 0, and catches up to the
 * exact state. Kafka is the devstack's; each test runs its own persistent store so a restart keeps the
 * data (a real Redis with AOF — which forgets its script cache, so the NOSCRIPT fallback runs too; the
 * MongoDB stand-in, mongo-java-server, on its H2 file backend). Both tests add to one traffic, and each
 * sink starts from offset 0 in a new group, so each store must end up holding all of it.
 */
class SinksOutageIT {

  private static Devstack stack;
  private static Traffic traffic;
  private static int round;

  @TempDir Path dir;

  @BeforeAll
  static void startKafka() {
    stack = Devstack.startEphemeral();
    traffic = new Traffic(stack.bootstrapServers());
  }

  @AfterAll
  static void stopKafka() {
    if (traffic != null) {
      traffic.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static void tallyRounds(int n) {
    for (int i = 0; i < n; i++) {
      traffic.tallyRound(++round);
    }
    traffic.flush();
  }

  private static long committed(String groupId) throws Exception {
    return ItSupport.committedRecords(stack.bootstrapServers(), groupId);
  }

  @Test
  void redisOutageHoldsTheBatchAndCatchesUpExactly() throws Exception {
    Path redisDir = dir.resolve("redis");
    RedisServer redisServer = RedisServer.start(0, redisDir, true);
    RedisServer restarted = null;
    SinksConfig config = ItSupport.config(stack.bootstrapServers(), redisServer.url(), stack.mongoUri());
    try (RedisClient redis = RedisClient.create(URI.create(redisServer.url()));
        SinksMain.Running sinks = SinksMain.start(config)) {
      tallyRounds(3);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(ItSupport.redisState(redis, false, false)).isEqualTo(traffic.expectedRedis()));
      await().atMost(Duration.ofSeconds(10)).until(() -> committed(config.redisGroupId()) == traffic.tallyRecords());
      long committedBefore = committed(config.redisGroupId());

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

      // Records keep coming on every tally topic while Redis is away: held, never committed, never skipped.
      // Waited for as events, not as quiet time: the sink holds new records, then fails to write them
      // three more times; only then is the commit checked, so it had three chances to commit wrongly.
      String failures = "quetzal_sink_write_failures_total{store=\"redis\"}";
      tallyRounds(4);
      String held = "quetzal_sink_held_records{store=\"redis\"}";
      await().atMost(Duration.ofSeconds(60)).until(() -> ItSupport.metric(sinks.httpPort(), held) > 0);
      double failuresHolding = ItSupport.metric(sinks.httpPort(), failures);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> ItSupport.metric(sinks.httpPort(), failures) >= failuresHolding + 3);
      assertThat(ItSupport.metric(sinks.httpPort(), held)).as("still held after the failed writes").isPositive();
      assertThat(committed(config.redisGroupId())).as("nothing committed while held").isEqualTo(committedBefore);
      assertThat(ItSupport.get(sinks.httpPort(), "/readyz").status()).isEqualTo(503);
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_records_skipped_total{store=\"redis\"}")).isZero();
      assertThat(ItSupport.get(sinks.httpPort(), "/healthz").status()).as("an outage is not a crash").isEqualTo(200);

      // The same port on purpose: the sink's client must find Redis where it was (Redis binds with SO_REUSEADDR,
      // and RedisServer.start retries while another process holds the port: Ports.bindRetrying).
      restarted = RedisServer.start(redisServer.port(), redisDir, true);
      tallyRounds(2);
      // The test's own pooled connections died with the old server: tolerate their first failures.
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(ItSupport.redisState(redis, false, false)).isEqualTo(traffic.expectedRedis()));
      await().atMost(Duration.ofSeconds(30)).until(() -> ItSupport.get(sinks.httpPort(), "/readyz").status() == 200);
      await().atMost(Duration.ofSeconds(10)).until(() -> committed(config.redisGroupId()) == traffic.tallyRecords());
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_store_up{store=\"redis\"}")).isEqualTo(1.0);
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_records_skipped_total{store=\"redis\"}")).isZero();
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
        SinksMain.Running sinks = SinksMain.start(config)) {
      MongoDatabase db = mongo.getDatabase(MongoNames.DATABASE);
      traffic.votes(0, 50);
      traffic.rejections(0, 20);
      traffic.flush();
      await().atMost(Duration.ofSeconds(30)).until(() -> logCount(db) == traffic.voteCount() + traffic.rejectionCount());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> committed(config.mongoGroupId()) == traffic.voteCount() + traffic.rejectionCount());
      long committedBefore = committed(config.mongoGroupId());

      mongoServer.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                ItSupport.HttpResult ready = ItSupport.get(sinks.httpPort(), "/readyz");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.body()).contains("mongo is unreachable");
              });
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_store_up{store=\"mongo\"}")).isZero();

      // As for Redis: wait for the sink to hold new records, then to fail to write them three more times,
      // then check that nothing was committed.
      String failures = "quetzal_sink_write_failures_total{store=\"mongo\"}";
      traffic.votes(50, 100);
      traffic.rejections(20, 40);
      traffic.flush();
      String held = "quetzal_sink_held_records{store=\"mongo\"}";
      await().atMost(Duration.ofSeconds(90)).until(() -> ItSupport.metric(sinks.httpPort(), held) > 0);
      double failuresHolding = ItSupport.metric(sinks.httpPort(), failures);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> ItSupport.metric(sinks.httpPort(), failures) >= failuresHolding + 3);
      assertThat(ItSupport.metric(sinks.httpPort(), held)).as("still held after the failed writes").isPositive();
      assertThat(committed(config.mongoGroupId())).as("nothing committed while held").isEqualTo(committedBefore);
      assertThat(ItSupport.get(sinks.httpPort(), "/readyz").status()).isEqualTo(503);
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_records_skipped_total{store=\"mongo\"}")).isZero();
      assertThat(ItSupport.get(sinks.httpPort(), "/healthz").status()).isEqualTo(200);

      // The same port on purpose, as for Redis: the sink's client must find MongoDB where it was.
      restarted = MongoStandIn.startPersistent(mongoServer.port(), mongoDir);
      traffic.votes(100, 120);
      traffic.rejections(40, 50);
      traffic.flush();
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> logCount(db) == traffic.voteCount() + traffic.rejectionCount());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> committed(config.mongoGroupId()) == traffic.voteCount() + traffic.rejectionCount());
      traffic.assertMongo(db);
      await().atMost(Duration.ofSeconds(30)).until(() -> ItSupport.get(sinks.httpPort(), "/readyz").status() == 200);
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_records_skipped_total{store=\"mongo\"}")).isZero();
    } finally {
      if (restarted != null) {
        restarted.close();
      }
      mongoServer.close();
    }
  }

  private static long logCount(MongoDatabase db) {
    return db.getCollection(MongoNames.VOTES).countDocuments() + db.getCollection(MongoNames.REJECTED).countDocuments();
  }
}
