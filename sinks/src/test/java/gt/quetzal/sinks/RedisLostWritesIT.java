package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.Devstack;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Redis comes back holding less than the sink wrote (as after a crash that lost the last second of its
 * append-only file), and no tally record arrives afterwards: quiet fields would stay stale forever.
 * The sink notices against the positions it wrote with the tallies and reads the lost records again.
 * The loss is made exactly: every {@code quetzal:*} key is dumped after the first rounds and restored,
 * replacing the later state, once the sink has mirrored more.
 */
class RedisLostWritesIT {

  private static Devstack stack;
  private static Traffic traffic;

  @BeforeAll
  static void startStack() {
    stack = Devstack.startEphemeral();
    traffic = new Traffic(stack.bootstrapServers());
  }

  @AfterAll
  static void stopStack() {
    if (traffic != null) {
      traffic.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aRedisThatLostAcknowledgedWritesIsRefilledWithoutNewTraffic() {
    SinksConfig config = ItSupport.config(stack.bootstrapServers(), stack.redisUrl(), stack.mongoUri());
    try (RedisClient redis = RedisClient.create(URI.create(stack.redisUrl()));
        SinksMain.Running sinks = SinksMain.start(config)) {
      traffic.tallyRound(1);
      traffic.tallyRound(2);
      traffic.flush();
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(ItSupport.redisState(redis, false, false)).isEqualTo(traffic.expectedRedis()));
      Map<String, byte[]> earlier = dump(redis);

      traffic.tallyRound(3);
      traffic.tombstones();
      traffic.flush();
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(ItSupport.redisState(redis, false, false)).isEqualTo(traffic.expectedRedis()));
      Map<String, Object> whole = ItSupport.redisState(redis, false, false);

      // Redis goes back to the earlier state, positions included; no new record will come.
      for (String key : redis.keys("quetzal:*")) {
        redis.del(key);
      }
      earlier.forEach((key, value) -> redis.restore(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, value));
      assertThat(ItSupport.redisState(redis, false, false)).as("the loss is real").isNotEqualTo(whole);

      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(ItSupport.redisState(redis, false, false)).isEqualTo(whole));
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_rewinds_total{store=\"redis\"}")).isPositive();
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_rewinds_total{store=\"mongo\"}")).isZero();
    }
  }

  private static Map<String, byte[]> dump(RedisClient redis) {
    Map<String, byte[]> dumped = new HashMap<>();
    Set<String> keys = redis.keys("quetzal:*");
    for (String key : keys) {
      dumped.put(key, redis.dump(key));
    }
    assertThat(dumped).containsKey(RedisKeys.SINK_POSITIONS);
    return dumped;
  }
}
