package gt.quetzal.sinks;

import static gt.quetzal.sinks.TallyRecords.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Timeline;
import gt.quetzal.contract.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The guard and the timeline encoding, on a real Redis (the devstack's redis-server, no Kafka): what
 * mirror.lua accepts and refuses, and that the stream always equals the per-band hashes, whatever order
 * and however often records arrive.
 */
class RedisMirrorScriptIT {

  private static final long MINUTE = 1_767_225_600_000L;

  @RegisterExtension static final RealRedis REDIS = new RealRedis();
  private static RedisClient redis;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong clock = new AtomicLong(1_000);
  private RedisTallySink sink;

  @BeforeAll
  static void connect() {
    redis = REDIS.client();
  }

  @BeforeEach
  void newSink() {
    sink = new RedisTallySink(redis, clock::get, 100, registry);
  }

  private static ConsumerRecord<byte[], byte[]> band(long offset, String band, Long total) {
    return raw(Topics.TALLIES_BANDS, 0, offset, band, total);
  }

  private static ConsumerRecord<byte[], byte[]> minute(int partition, long offset, String band, long minuteStart, Long count) {
    return raw(Topics.TALLIES_BANDS_PER_MINUTE, partition, offset, new BandMinute(band, minuteStart), count);
  }

  private double written() {
    return registry.get("quetzal.sink.fields.written").counter().count();
  }

  private double refused() {
    return registry.get("quetzal.sink.guard.refused").counter().count();
  }

  /** The per-band timeline hashes as band → (minute field → count). */
  private static Map<String, Map<String, String>> timelineHashes() {
    Map<String, Map<String, String>> hashes = new TreeMap<>();
    for (String key : redis.keys(RedisKeys.BAND_MINUTES_PREFIX + "*")) {
      hashes.put(key.substring(RedisKeys.BAND_MINUTES_PREFIX.length()), redis.hgetAll(key));
    }
    return hashes;
  }

  private static Map<Long, Map<String, String>> stream() {
    Map<Long, Map<String, String>> entries = new LinkedHashMap<>();
    ItSupport.streamEntries(redis, RedisKeys.TIMELINE_STREAM).forEach((id, fields) -> {
      assertThat(id).as("explicit minute IDs").endsWith("-0");
      entries.put(Timeline.minuteOf(id), fields);
    });
    return entries;
  }

  private static void assertStreamIsTheHashesPivoted(int maxMinutes) {
    SortedMap<Long, SortedMap<String, String>> expected = Timeline.streamOf(timelineHashes(), maxMinutes);
    assertThat(stream()).isEqualTo(expected);
    assertThat(List.copyOf(stream().keySet())).as("ascending minutes").isSorted();
  }

  @Test
  void aNewerRecordIsWrittenAnOlderOrTheSameOneIsRefused() throws Exception {
    sink.write(List.of(band(5, "Alux Nahual", 50L)));
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")).isEqualTo("50");
    assertThat(redis.hget("quetzal:guard:tally:bands", "Alux Nahual")).isEqualTo("5");

    sink.write(List.of(band(3, "Alux Nahual", 30L)));
    sink.write(List.of(band(5, "Alux Nahual", 99L)));
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")).as("older and equal refused").isEqualTo("50");
    assertThat(refused()).isEqualTo(2);

    sink.write(List.of(band(6, "Alux Nahual", 60L)));
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")).isEqualTo("60");
    assertThat(redis.hget("quetzal:guard:tally:bands", "Alux Nahual")).isEqualTo("6");
    assertThat(written()).isEqualTo(2);
  }

  @Test
  void aRedisHoldingLessThanTheSinkBelievesRefusesTheWholeCallAndSaysWhereToReadAgain() throws Exception {
    TopicPartition bands = new TopicPartition(Topics.TALLIES_BANDS.name(), 0);
    assertThat(sink.write(List.of(band(0, "Alux Nahual", 1L), band(1, "Alux Nahual", 2L)), Map.of(bands, 0L))).isEmpty();
    assertThat(redis.hget(RedisKeys.SINK_POSITIONS, "tallies.bands:0")).isEqualTo("2");
    assertThat(sink.write(List.of(band(2, "Alux Nahual", 3L)), Map.of(bands, 2L))).isEmpty();
    assertThat(redis.hget(RedisKeys.SINK_POSITIONS, "tallies.bands:0")).isEqualTo("3");

    // Redis comes back at the state after offset 1: the sink believes it holds everything before 3.
    redis.hset(RedisKeys.SINK_POSITIONS, "tallies.bands:0", "2");
    redis.hset(RedisKeys.BAND_TOTALS, "Alux Nahual", "2");
    Map<TopicPartition, Long> lost = sink.write(List.of(band(3, "Alux Nahual", 4L)), Map.of(bands, 3L));
    assertThat(lost).containsExactly(Map.entry(bands, 2L));
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")).as("nothing of the call written").isEqualTo("2");
    assertThat(redis.hget(RedisKeys.SINK_POSITIONS, "tallies.bands:0")).isEqualTo("2");
    assertThat(sink.check(Map.of(bands, 3L))).containsExactly(Map.entry(bands, 2L));

    // Read again from 2: written, and the positions move on.
    assertThat(sink.write(List.of(band(2, "Alux Nahual", 3L), band(3, "Alux Nahual", 4L)), Map.of(bands, 2L))).isEmpty();
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")).isEqualTo("4");
    assertThat(sink.check(Map.of(bands, 4L))).isEmpty();
    // A Redis with no positions at all holds nothing the sink can count on: read from the start.
    redis.del(RedisKeys.SINK_POSITIONS);
    assertThat(sink.check(Map.of(bands, 4L))).containsExactly(Map.entry(bands, 0L));
  }

  @Test
  void aTombstoneKeepsItsVersionSoAStaleTotalCannotResurrectTheBand() throws Exception {
    sink.write(List.of(band(10, "Ricardo Arjona", 5L)));
    sink.write(List.of(band(11, "Ricardo Arjona", null)));
    assertThat(redis.hexists(RedisKeys.BAND_TOTALS, "Ricardo Arjona")).isFalse();

    // A stale replica writes the 5 it polled before the tombstone: refused.
    sink.write(List.of(band(10, "Ricardo Arjona", 5L)));
    assertThat(redis.hexists(RedisKeys.BAND_TOTALS, "Ricardo Arjona")).isFalse();

    // The band is counted again from 1: smaller, but newer; a count-based guard would refuse it.
    sink.write(List.of(band(12, "Ricardo Arjona", 1L)));
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Ricardo Arjona")).isEqualTo("1");
  }

  @Test
  void everyHashIsGuardedNotOnlyTheBands() throws Exception {
    gt.quetzal.contract.AlbumKey album = new gt.quetzal.contract.AlbumKey("Alux Nahual", "Alux Nahual");
    sink.write(
        List.of(
            raw(Topics.TALLIES_ALBUMS, 1, 8, album, new gt.quetzal.contract.AlbumTally("Alux Nahual", "Alux Nahual", 8, 400, 1, 99)),
            raw(Topics.TALLIES_STATS, 0, 8, "accepted", 80L),
            minute(2, 8, "Alux Nahual", MINUTE, 8L)));
    Map<String, Object> before = ItSupport.redisState(redis, true, true);

    clock.set(2_000);
    sink.write(
        List.of(
            raw(Topics.TALLIES_ALBUMS, 1, 7, album, new gt.quetzal.contract.AlbumTally("Alux Nahual", "Alux Nahual", 7, 350, 1, 99)),
            raw(Topics.TALLIES_STATS, 0, 7, "accepted", 70L),
            minute(2, 7, "Alux Nahual", MINUTE, 7L)));

    assertThat(ItSupport.redisState(redis, true, true)).as("nothing went backwards, not even updatedAt").isEqualTo(before);
    assertThat(refused()).isEqualTo(4); // album total, album stats, stat, minute
  }

  @Test
  void theStreamAlwaysEqualsTheHashesWhateverOrderAndHoweverOftenRecordsArrive() throws Exception {
    // Five bands, twelve minutes; each (band, minute) key lives in one of three partitions and gets a
    // growing count, sometimes a tombstone, as a windowed aggregation would publish it.
    Random random = new Random(20261126);
    List<String> bands = List.of("Alux Nahual", "Malacates Trébol Shop", "Bohemia Suburbana", "Viernes Verde", "Ángeles del Infierno");
    long[] nextOffset = new long[3];
    List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
    Map<String, Map<String, String>> latest = new TreeMap<>();
    for (int step = 0; step < 400; step++) {
      String band = bands.get(random.nextInt(bands.size()));
      long minuteStart = MINUTE + random.nextInt(12) * Timeline.MINUTE_MS;
      int partition = Math.floorMod((band + minuteStart).hashCode(), 3);
      String field = Timeline.field(minuteStart);
      Long count = random.nextInt(25) == 0 ? null : (long) step + 1;
      log.add(minute(partition, nextOffset[partition]++, band, minuteStart, count));
      if (count == null) {
        latest.getOrDefault(band, new HashMap<>()).remove(field);
      } else {
        latest.computeIfAbsent(band, b -> new TreeMap<>()).put(field, count.toString());
      }
    }
    latest.values().removeIf(Map::isEmpty);

    // Delivered shuffled, in random batches, with stale replays of random earlier slices mixed in.
    List<ConsumerRecord<byte[], byte[]>> shuffled = new ArrayList<>(log);
    Collections.shuffle(shuffled, random);
    for (int from = 0; from < shuffled.size(); ) {
      int to = Math.min(shuffled.size(), from + 1 + random.nextInt(40));
      sink.write(shuffled.subList(from, to));
      int replayFrom = random.nextInt(log.size());
      sink.write(log.subList(replayFrom, Math.min(log.size(), replayFrom + random.nextInt(30))));
      assertStreamIsTheHashesPivoted(100);
      from = to;
    }

    assertThat(timelineHashes()).isEqualTo(latest);
    assertStreamIsTheHashesPivoted(100);
    // The last ID is the newest minute, so an XADD of the next minute needs no rewrite.
    String lastId = ItSupport.streamEntries(redis, RedisKeys.TIMELINE_STREAM).keySet().stream().reduce((a, b) -> b).orElseThrow();
    List<?> info = (List<?>) redis.sendCommand(Protocol.Command.XINFO, "STREAM", RedisKeys.TIMELINE_STREAM);
    assertThat(infoField(info, "last-generated-id")).isEqualTo(lastId);
  }

  private static String infoField(List<?> info, String name) {
    for (int i = 0; i < info.size(); i += 2) {
      if (new String((byte[]) info.get(i), java.nio.charset.StandardCharsets.UTF_8).equals(name)) {
        return new String((byte[]) info.get(i + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError(name + " not in XINFO STREAM");
  }

  @Test
  void aLateCountForAnOlderMinuteRewritesThatEntryInPlace() throws Exception {
    sink.write(List.of(minute(0, 0, "Alux Nahual", MINUTE, 3L), minute(1, 0, "Viernes Verde", MINUTE, 1L)));
    sink.write(List.of(minute(2, 0, "Alux Nahual", MINUTE + 60_000, 2L)));
    // A late vote for the first minute arrives after the second minute was drawn.
    sink.write(List.of(minute(0, 1, "Alux Nahual", MINUTE, 4L)));

    assertThat(stream())
        .containsExactly(
            Map.entry(MINUTE, Map.of("Alux Nahual", "4", "Viernes Verde", "1")),
            Map.entry(MINUTE + 60_000, Map.of("Alux Nahual", "2")));
    // A tombstone removes the band from that minute; the last band out removes the entry.
    sink.write(List.of(minute(0, 2, "Alux Nahual", MINUTE, null), minute(1, 1, "Viernes Verde", MINUTE, null)));
    assertThat(stream()).containsExactly(Map.entry(MINUTE + 60_000, Map.of("Alux Nahual", "2")));
    assertThat(redis.exists(RedisKeys.bandMinutes("Viernes Verde"))).isFalse();
  }

  @Test
  void theStreamKeepsTheNewestMinutesOnlyWhileTheHashesKeepThemAll() throws Exception {
    RedisTallySink capped = new RedisTallySink(redis, clock::get, 3, registry);
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
    for (int m = 0; m < 5; m++) {
      batch.add(minute(0, m, "Alux Nahual", MINUTE + m * 60_000L, m + 1L));
    }
    capped.write(batch);

    assertThat(stream().keySet()).containsExactly(MINUTE + 120_000, MINUTE + 180_000, MINUTE + 240_000);
    assertThat(redis.hlen(RedisKeys.bandMinutes("Alux Nahual"))).isEqualTo(5);
    assertStreamIsTheHashesPivoted(3);
  }

  @Test
  void batchesLargerThanLuasUnpackLimitAreWrittenInFull() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      batch.add(band(i, "Banda " + i, (long) i));
      batch.add(minute(1, i, "Alux Nahual", MINUTE + i * 60_000L, i + 1L));
    }
    RedisTallySink wide = new RedisTallySink(redis, clock::get, 10_000, registry);
    wide.write(batch);
    // Then the oldest minute changes: the whole 2 500-entry tail is rewritten.
    wide.write(List.of(minute(1, 2_500, "Alux Nahual", MINUTE, 99L)));

    assertThat(redis.hlen(RedisKeys.BAND_TOTALS)).isEqualTo(2_500);
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Banda 2499")).isEqualTo("2499");
    assertThat(redis.xlen(RedisKeys.TIMELINE_STREAM)).isEqualTo(2_500);
    assertThat(stream().get(MINUTE)).isEqualTo(Map.of("Alux Nahual", "99"));
    assertStreamIsTheHashesPivoted(10_000);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRedisThatForgotTheScriptIsSentItAgain() throws Exception {
    sink.write(List.of(band(1, "Alux Nahual", 1L)));
    redis.scriptFlush();

    sink.write(List.of(band(2, "Alux Nahual", 2L)));

    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")).isEqualTo("2");
    assertThat((List<Object>) redis.sendCommand(Protocol.Command.SCRIPT, "EXISTS", RedisMirrorScript.SHA))
        .as("our SHA is Redis' name for the script")
        .containsExactly(1L);
  }

  @Test
  void updatedAtOnlyMovesForwardAndOnlyAChangeIsAnnounced() throws Exception {
    List<String> notes = new CopyOnWriteArrayList<>();
    JedisPubSub listener =
        new JedisPubSub() {
          @Override
          public void onMessage(String channel, String message) {
            notes.add(message);
          }
        };
    Thread thread = new Thread(() -> redis.subscribe(listener, RedisKeys.CHANGES_CHANNEL), "notes");
    thread.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> listener.getSubscribedChannels() == 1);

    clock.set(5_000);
    sink.write(List.of(band(1, "Alux Nahual", 1L)));
    clock.set(6_000);
    sink.write(List.of(band(1, "Alux Nahual", 1L))); // a replay: refused, silent, no new updatedAt
    assertThat(redis.hget(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT)).isEqualTo("5000");
    clock.set(4_000); // another replica with a slower clock writes something new
    sink.write(List.of(band(2, "Alux Nahual", 2L)));
    assertThat(redis.hget(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT)).isEqualTo("5000");
    redis.publish(RedisKeys.CHANGES_CHANNEL, "marker");

    await().atMost(Duration.ofSeconds(10)).until(() -> notes.contains("marker"));
    listener.unsubscribe();
    assertThat(notes).hasSize(3);
    assertThat(notes.get(0)).contains("\"kind\":\"tallies\"").contains("\"bands\":1").contains("\"updatedAt\":5000");
    assertThat(notes.get(1)).contains("\"updatedAt\":4000");
  }

  @Test
  void aKeyOfTheWrongTypeFailsTheBatchBeforeAnyWrite() throws Exception {
    redis.set(RedisKeys.ALBUM_TOTALS, "not a hash");
    gt.quetzal.contract.AlbumKey album = new gt.quetzal.contract.AlbumKey("Alux Nahual", "Alux Nahual");
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(
            band(1, "Alux Nahual", 1L),
            raw(Topics.TALLIES_ALBUMS, 0, 1, album, new gt.quetzal.contract.AlbumTally("Alux Nahual", "Alux Nahual", 1, 50, 50, 50)));

    assertThatThrownBy(() -> sink.write(batch)).isInstanceOf(JedisDataException.class).hasMessageContaining("WRONGTYPE");
    assertThat(redis.exists(RedisKeys.BAND_TOTALS)).as("the band written before the album was not kept").isFalse();
    assertThat(redis.exists(RedisKeys.guardOf(RedisKeys.BAND_TOTALS))).isFalse();

    // Once fixed, the same batch goes through: the loop would simply have retried it.
    redis.del(RedisKeys.ALBUM_TOTALS);
    sink.write(batch);
    assertThat(redis.hget(RedisKeys.ALBUM_TOTALS, album.label())).isEqualTo("1");
  }
}
