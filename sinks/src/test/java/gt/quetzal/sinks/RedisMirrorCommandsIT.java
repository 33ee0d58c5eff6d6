package gt.quetzal.sinks;

import static gt.quetzal.sinks.TallyRecords.band;
import static gt.quetzal.sinks.TallyRecords.commands;
import static gt.quetzal.sinks.TallyRecords.round;
import static gt.quetzal.sinks.TallyRecords.total;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import gt.quetzal.contract.RedisKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What one mirror call costs in Redis commands, counted by a real redis-server ({@code INFO
 * commandstats}): the steady-state commands per vote of docs/benchmarks.md rest on it. A poll in the
 * steady state touches every kind of tally and each band's current minute, so the call's cost is one
 * HSET per value hash plus a fixed few, however many partitions and guards it spans.
 */
class RedisMirrorCommandsIT {

  private static final List<String> THREE = List.of("Alux Nahual", "Bohemia Suburbana", "Viernes Verde");
  private static final List<String> NINE =
      List.of("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9");

  @RegisterExtension static final RealRedis REDIS = new RealRedis();
  private static RedisClient redis;

  @BeforeAll
  static void connect() {
    redis = REDIS.client();
  }

  private static RedisTallySink sink() {
    AtomicLong clock = new AtomicLong(1_000); // each call later than the last, so updatedAt moves
    return new RedisTallySink(redis, clock::incrementAndGet, 100, new SimpleMeterRegistry());
  }

  private static void write(RedisTallySink sink, List<ConsumerRecord<byte[], byte[]>> batch) {
    try {
      sink.write(batch);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aSteadyStateCallRunsOneHsetPerValueHashPlusAFixedFew() {
    RedisTallySink sink = sink();
    Map<String, Long> first = commands(redis, () -> write(sink, round(THREE, 0)));
    Map<String, Long> second = commands(redis, () -> write(sink, round(THREE, 1)));

    // First call: the stream's type and each value hash's (the stats hash is read anyway), no stream yet.
    assertThat(first).contains(entry("type", 1L + 6), entry("evalsha", 1L)).doesNotContainKeys("xrange", "xsetid");
    assertThat(second)
        .as("7 value hashes (bands, albums, album stats, stats, 3 timelines) under 5 guard hashes, 3 partitions x 4 topics")
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "evalsha", 1L,
                "type", 1L, // the stream only: the sink wrote every value hash before
                "hget", 1L, // updatedAt
                "hmget", 1L + 5, // the positions of all 12 partitions, then each guard hash once
                "hset", 7L + 5 + 1 + 1, // values, guards, positions, updatedAt
                "xrange", 1L,
                "xdel", 1L,
                "xsetid", 1L,
                "xadd", 1L, // one minute, trimmed as it is added
                "publish", 1L));
    assertThat(total(second)).isEqualTo(28);
  }

  @Test
  void eachMoreBandCostsOneCommandOnlyItsTimelinesHset() {
    RedisTallySink three = sink();
    write(three, round(THREE, 0));
    long withThree = total(commands(redis, () -> write(three, round(THREE, 1))));
    redis.flushAll();
    RedisTallySink nine = sink();
    write(nine, round(NINE, 0));
    long withNine = total(commands(redis, () -> write(nine, round(NINE, 1))));

    assertThat(withNine - withThree).isEqualTo(NINE.size() - THREE.size());
  }

  @Test
  void theCountSeesTheTypeChecksTheSinksMemorySaves() {
    // A broken copy of the script that checks every value hash, as if the sink knew none: the same
    // call, counted the same way, must show the six checks the real one skips.
    String checksAll = RedisMirrorScript.SOURCE.replace("if ARGV[a + 3] == '1' and", "if ARGV[a + 3] ~= nil and");
    assertThat(checksAll).isNotEqualTo(RedisMirrorScript.SOURCE);
    RedisTallySink sink = sink();
    write(sink, round(THREE, 0));
    RedisMirrorScript.Call call = call(round(THREE, 1), List.of(RedisKeys.BAND_TOTALS, RedisKeys.ALBUM_TOTALS,
        RedisKeys.ALBUM_STATS, RedisKeys.bandMinutes(THREE.get(0)), RedisKeys.bandMinutes(THREE.get(1)),
        RedisKeys.bandMinutes(THREE.get(2))));

    Map<String, Long> real = commands(redis, () -> redis.eval(RedisMirrorScript.SOURCE, call.keys(), call.args()));
    redis.flushAll();
    write(sink(), round(THREE, 0));
    Map<String, Long> broken = commands(redis, () -> redis.eval(checksAll, call.keys(), call.args()));

    assertThat(real).containsEntry("type", 1L);
    assertThat(broken).containsEntry("type", 1L + 6);
  }

  private static RedisMirrorScript.Call call(List<ConsumerRecord<byte[], byte[]>> batch, List<String> known) {
    try {
      RedisTallySink.Plan plan = RedisTallySink.plan(batch, new RecordDecoder("redis", new SimpleMeterRegistry()));
      return RedisMirrorScript.call(plan.writes(), 1_000L, plan.changeNote(1_000L), 100, List.of(), Set.copyOf(known));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aHashWhoseTypeChangesUnderARunningSinkFailsOneCallThenEveryTypeIsCheckedBeforeAnyWrite() {
    RedisTallySink sink = sink();
    write(sink, List.of(band(0, 0, "Alux Nahual", 1), TallyRecords.album(0, 0, "Alux Nahual", 1)));
    redis.del(RedisKeys.ALBUM_TOTALS);
    redis.set(RedisKeys.ALBUM_TOTALS, "not a hash"); // another client, while the sink runs
    List<ConsumerRecord<byte[], byte[]>> next =
        List.of(band(0, 1, "Alux Nahual", 2), TallyRecords.album(0, 1, "Alux Nahual", 2));
    Map<String, Object> before = ItSupport.redisState(redis, true, true);

    // The sink believed the albums hash was a hash: this call fails half-way, after the bands' value.
    assertThatThrownBy(() -> sink.write(next)).isInstanceOf(JedisDataException.class).hasMessageContaining("WRONGTYPE");
    Map<String, Object> halfWay = ItSupport.redisState(redis, true, true);
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")).as("a value newer than its guard").isEqualTo("2");
    for (String untouched :
        List.of(RedisKeys.guardOf(RedisKeys.BAND_TOTALS), RedisKeys.SINK_POSITIONS, RedisKeys.STATS)) {
      assertThat(halfWay.get(untouched)).as(untouched).isEqualTo(before.get(untouched));
    }

    // The failure made the sink forget what it knew: the retry checks every type and writes nothing.
    Map<String, Long> retry =
        commands(redis, () -> assertThatThrownBy(() -> sink.write(next)).hasMessageContaining("WRONGTYPE"));
    assertThat(retry).doesNotContainKeys("hset", "hdel");
    assertThat(ItSupport.redisState(redis, true, true)).isEqualTo(halfWay);

    // Once fixed, the retry writes the value again, with its guard.
    redis.del(RedisKeys.ALBUM_TOTALS);
    write(sink, next);
    assertThat(redis.hget(RedisKeys.ALBUM_TOTALS, "Alux Nahual — Alux Nahual")).isEqualTo("2");
    assertThat(redis.hget(RedisKeys.guardOf(RedisKeys.BAND_TOTALS), "Alux Nahual")).isEqualTo("1");
    assertThat(redis.hget(RedisKeys.SINK_POSITIONS, "tallies.bands:0")).isEqualTo("2");
  }
}
