package gt.quetzal.sinks;

import static gt.quetzal.sinks.TallyRecords.MINUTE;
import static gt.quetzal.sinks.TallyRecords.minute;
import static gt.quetzal.sinks.TallyRecords.round;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.RedisKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Every band's timeline under one guard hash, the merge of the per-band guards earlier versions wrote,
 * and which wrong types fail a call before any write, on a real redis-server.
 */
class RedisTimelineGuardIT {

  private static final List<String> BANDS = List.of("Alux Nahual", "AC|DC");

  @RegisterExtension static final RealRedis REDIS = new RealRedis();
  private static RedisClient redis;

  private final AtomicLong clock = new AtomicLong(1_000);
  private RedisTallySink sink;

  @BeforeAll
  static void connect() {
    redis = REDIS.client();
  }

  @BeforeEach
  void newSink() {
    sink = new RedisTallySink(redis, clock::incrementAndGet, 100, new SimpleMeterRegistry());
  }

  @Test
  void everyBandsMinutesAreGuardedInOneHashUnderTheBandsPrefix() throws Exception {
    // "AC|DC" holds the separator: the minute (digits only) after the last '|' keeps the fields apart.
    sink.write(List.of(minute(0, 4, "Alux Nahual", MINUTE, 3), minute(1, 9, "AC|DC", MINUTE + 60_000, 2)));

    assertThat(redis.hgetAll(RedisKeys.TIMELINE_GUARD))
        .isEqualTo(Map.of("Alux Nahual|" + MINUTE, "4", "AC|DC|" + (MINUTE + 60_000), "9"));
    assertThat(redis.keys(RedisKeys.LEGACY_TIMELINE_GUARD_PREFIX + "*")).isEmpty();

    Map<String, Object> before = ItSupport.redisState(redis, true, true);
    sink.write(List.of(minute(0, 3, "Alux Nahual", MINUTE, 2))); // an older record: refused
    assertThat(ItSupport.redisState(redis, true, true)).isEqualTo(before);
    sink.write(List.of(minute(0, 5, "Alux Nahual", MINUTE, 4)));
    assertThat(redis.hget(RedisKeys.bandMinutes("Alux Nahual"), Long.toString(MINUTE))).isEqualTo("4");
    assertThat(redis.hget(RedisKeys.TIMELINE_GUARD, "Alux Nahual|" + MINUTE)).isEqualTo("5");
  }

  @Test
  void theGuardsOfAnEarlierVersionAreMergedAtStartSoAReplayIsStillRefused() throws Exception {
    String minute = Long.toString(MINUTE);
    String next = Long.toString(MINUTE + 60_000);
    // What an earlier version left: a guard hash per band, with the minute fields.
    redis.hset(RedisKeys.bandMinutes("Alux Nahual"), Map.of(minute, "7", next, "1"));
    redis.hset(RedisKeys.LEGACY_TIMELINE_GUARD_PREFIX + "Alux Nahual", Map.of(minute, "40", next, "12"));
    redis.hset(RedisKeys.bandMinutes("AC|DC"), Map.of(minute, "2"));
    redis.hset(RedisKeys.LEGACY_TIMELINE_GUARD_PREFIX + "AC|DC", Map.of(minute, "41"));
    // A replica of this version already wrote one of them, newer: the higher version stays.
    redis.hset(RedisKeys.TIMELINE_GUARD, "Alux Nahual|" + next, "50");

    sink.prepare();

    assertThat(redis.keys(RedisKeys.LEGACY_TIMELINE_GUARD_PREFIX + "*")).isEmpty();
    assertThat(redis.hgetAll(RedisKeys.TIMELINE_GUARD))
        .isEqualTo(Map.of("Alux Nahual|" + minute, "40", "Alux Nahual|" + next, "50", "AC|DC|" + minute, "41"));
    // A replay from an earlier offset changes nothing.
    sink.write(List.of(minute(0, 30, "Alux Nahual", MINUTE, 3), minute(1, 20, "AC|DC", MINUTE, 1)));
    assertThat(redis.hget(RedisKeys.bandMinutes("Alux Nahual"), minute)).isEqualTo("7");
    assertThat(redis.hget(RedisKeys.bandMinutes("AC|DC"), minute)).isEqualTo("2");
    // A second start finds nothing left to merge.
    sink.prepare();
    assertThat(redis.hlen(RedisKeys.TIMELINE_GUARD)).isEqualTo(3);
  }

  /** Keys the script reads (or type-checks) on every call, whatever the sink remembers. */
  static Stream<String> checkedOnEveryCall() {
    return Stream.of(
        RedisKeys.STATS,
        RedisKeys.TIMELINE_STREAM,
        RedisKeys.SINK_POSITIONS,
        RedisKeys.guardOf(RedisKeys.BAND_TOTALS),
        RedisKeys.guardOf(RedisKeys.ALBUM_STATS),
        RedisKeys.TIMELINE_GUARD);
  }

  @ParameterizedTest
  @MethodSource("checkedOnEveryCall")
  void aWrongTypeFailsTheCallBeforeAnyWriteEvenForASinkThatWroteItBefore(String key) throws Exception {
    sink.write(round(BANDS, 0));
    redis.del(key);
    redis.set(key, "not what the mirror needs");
    Map<String, Object> before = ItSupport.redisState(redis, true, true);

    assertThatThrownBy(() -> sink.write(round(BANDS, 1))).isInstanceOf(JedisDataException.class).hasMessageContaining("WRONGTYPE");
    assertThat(ItSupport.redisState(redis, true, true)).isEqualTo(before);
  }

  /** The value hashes, checked until the sink has written them once. */
  static Stream<String> valueHashes() {
    return Stream.of(
        RedisKeys.BAND_TOTALS, RedisKeys.ALBUM_TOTALS, RedisKeys.ALBUM_STATS, RedisKeys.bandMinutes("AC|DC"));
  }

  @ParameterizedTest
  @MethodSource("valueHashes")
  void aValueHashOfTheWrongTypeFailsANewSinksCallBeforeAnyWrite(String key) {
    redis.set(key, "not a hash");
    Map<String, Object> before = ItSupport.redisState(redis, true, true);

    assertThatThrownBy(() -> sink.write(round(BANDS, 0))).isInstanceOf(JedisDataException.class).hasMessageContaining("WRONGTYPE");
    assertThat(ItSupport.redisState(redis, true, true)).isEqualTo(before);
  }
}
