package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.ContestApply;
import gt.quetzal.contract.ContestState;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.RedisServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/** The catalog's bands at 0 in real Redis: seeded, never over a count, taken out only while unvoted. */
class ContestSeederIT {

  @TempDir static Path dir;
  private static RedisServer server;
  private static RedisClient redis;

  private final ContestState contest = new ContestState();

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start(0, dir, false);
    redis = RedisClient.create(URI.create(server.url()));
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
    server.close();
  }

  @BeforeEach
  void empty() {
    redis.flushAll();
  }

  private static Catalog catalog(String... bands) {
    List<Catalog.Band> list = new ArrayList<>();
    for (String band : bands) {
      list.add(new Catalog.Band(band, List.of(new Catalog.Album("Uno", 2001))));
    }
    return new Catalog("c", list);
  }

  /** Applies and waits until the seeder's write is done: it writes on a thread of its own. */
  private void apply(Catalog catalog) {
    ContestApply.plan(contest, catalog).forEach(change -> contest.apply(change.key(), change.entry()));
    try (ContestSeeder seeder = new ContestSeeder(redis, Duration.ofMillis(100))) {
      seeder.accept(contest);
      await().atMost(Duration.ofSeconds(10)).until(() -> seeder.writes() == 1);
    }
  }

  private static Map<String, String> totals() {
    return redis.hgetAll(RedisKeys.BAND_TOTALS);
  }

  @Test
  void everyBandOfACatalogIsListedAtZeroAndACountIsNeverOverwritten() {
    redis.hset(RedisKeys.BAND_TOTALS, "Band A", "7");
    redis.hset(RedisKeys.guardOf(RedisKeys.BAND_TOTALS), "Band A", "41");

    apply(catalog("Band A", "Band B", "Band C"));

    assertThat(totals()).containsOnly(Map.entry("Band A", "7"), Map.entry("Band B", "0"), Map.entry("Band C", "0"));
  }

  @Test
  void aBandThatLeavesTheCatalogGoesOnlyWhileItHasNoVote() {
    apply(catalog("Band A", "Band B", "Band C"));
    // Band B got a vote from the mirror (a count and its guard version); Band C was voted to "0"
    // never: it still has no guard.
    redis.hset(RedisKeys.BAND_TOTALS, "Band B", "3");
    redis.hset(RedisKeys.guardOf(RedisKeys.BAND_TOTALS), "Band B", "12");

    apply(catalog("Band A"));

    assertThat(totals()).containsOnly(Map.entry("Band A", "0"), Map.entry("Band B", "3"));
    assertThat(redis.smembers(RedisKeys.CONTEST_BANDS)).containsOnly("Band A");
  }

  @Test
  void anOpenContestSeedsNothingAndTakesOutTheUnvotedZeros() {
    apply(catalog("Band A", "Band B"));
    redis.hset(RedisKeys.guardOf(RedisKeys.BAND_TOTALS), "Band B", "5");

    apply(null);

    assertThat(totals()).containsOnly(Map.entry("Band B", "0"));
  }

  @Test
  void aContestAppliedWhileRedisIsDownIsSeededOnceItAnswers(@TempDir Path later) throws Exception {
    ContestApply.plan(contest, catalog("Band A", "Band B")).forEach(change -> contest.apply(change.key(), change.entry()));
    int port = gt.quetzal.devstack.Ports.freePort();
    try (RedisClient down = RedisClient.create(URI.create("redis://localhost:" + port));
        ContestSeeder seeder = new ContestSeeder(down, Duration.ofMillis(100))) {
      seeder.accept(contest); // fails: nothing listens on the port yet
      try (RedisServer lateServer = RedisServer.start(port, later, false);
          RedisClient check = RedisClient.create(URI.create(lateServer.url()))) {
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> assertThat(check.hgetAll(RedisKeys.BAND_TOTALS))
                    .containsOnly(Map.entry("Band A", "0"), Map.entry("Band B", "0")));
      }
    }
  }

  @Test
  void aChangeIsAnnouncedOnTheChangesChannelAndARepeatIsNot() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    JedisPubSub listener =
        new JedisPubSub() {
          @Override
          public void onMessage(String channel, String message) {
            heard.add(message);
          }
        };
    Thread subscriber = new Thread(() -> redis.subscribe(listener, RedisKeys.CHANGES_CHANNEL));
    subscriber.start();
    org.awaitility.Awaitility.await().until(listener::isSubscribed);

    apply(catalog("Band A"));
    apply(catalog("Band A")); // the same contest again changes nothing
    apply(catalog("Band A", "Band B"));
    org.awaitility.Awaitility.await().until(() -> heard.size() >= 2);
    listener.unsubscribe();
    subscriber.join();

    assertThat(heard).containsExactly("{\"kind\":\"contest\",\"bands\":1}", "{\"kind\":\"contest\",\"bands\":2}");
  }
}
