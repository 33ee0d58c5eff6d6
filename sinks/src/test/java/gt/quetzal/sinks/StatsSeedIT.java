package gt.quetzal.sinks;

import static gt.quetzal.sinks.TallyRecords.stat;
import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.RedisKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** Zero is a value: the stats the dashboard reads exist at 0 from the sink's setup, on a real Redis. */
class StatsSeedIT {

  @RegisterExtension static final RealRedis REDIS = new RealRedis();
  private static RedisClient redis;

  @BeforeAll
  static void connect() {
    redis = REDIS.client();
  }

  private static RedisTallySink sink() {
    return new RedisTallySink(redis, () -> 1_000L, 100, new SimpleMeterRegistry());
  }

  @Test
  void theSinksSetupCreatesEveryPanelStatAtZero() {
    sink().prepare();

    assertThat(redis.hgetAll(RedisKeys.STATS)).isEqualTo(
        Map.of(RedisKeys.STAT_ACCEPTED, "0", RedisKeys.STAT_REJECTED, "0", RedisKeys.STAT_DUPLICATES, "0"));
    assertThat(redis.keys(RedisKeys.GUARD_PREFIX + "*")).as("the guard is not touched").isEmpty();
  }

  @Test
  void aCountAlreadyThereIsNeverOverwritten() {
    redis.hset(RedisKeys.STATS, RedisKeys.STAT_ACCEPTED, "42");

    assertThat(StatsSeed.seed(redis)).as("only the two missing fields are created").isEqualTo(2);
    assertThat(StatsSeed.seed(redis)).as("a second setup (a restart, another replica) creates nothing").isZero();
    assertThat(redis.hget(RedisKeys.STATS, RedisKeys.STAT_ACCEPTED)).isEqualTo("42");
    assertThat(redis.hget(RedisKeys.STATS, RedisKeys.STAT_DUPLICATES)).isEqualTo("0");
  }

  @Test
  void theFirstRealCountReplacesTheZero() throws Exception {
    RedisTallySink sink = sink();
    sink.prepare();

    sink.write(List.of(stat(0, RedisKeys.STAT_DUPLICATES, 3L)));

    assertThat(redis.hget(RedisKeys.STATS, RedisKeys.STAT_DUPLICATES)).isEqualTo("3");
    assertThat(redis.hget(RedisKeys.STATS, RedisKeys.STAT_REJECTED)).isEqualTo("0");
  }
}
