package gt.quetzal.sinks;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Timeline;
import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.sinks.RedisMirrorScript.FieldWrite;
import gt.quetzal.sinks.RedisMirrorScript.HashWrites;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Mirrors every tally topic into Redis with absolute values (HSET, never INCR):
 *
 * <ul>
 *   <li>{@link Topics#TALLIES_BANDS} → {@link RedisKeys#BAND_TOTALS} (band → total);
 *   <li>{@link Topics#TALLIES_ALBUMS} → {@link RedisKeys#ALBUM_TOTALS} ("Band — Album" → count) and
 *       {@link RedisKeys#ALBUM_STATS} ("Band — Album" → JSON with the rank statistics);
 *   <li>{@link Topics#TALLIES_BANDS_PER_MINUTE} → {@link RedisKeys#bandMinutes} (minute → count) and the
 *       {@link RedisKeys#TIMELINE_STREAM} entry of that minute;
 *   <li>{@link Topics#TALLIES_STATS} → {@link RedisKeys#STATS} (counter → value).
 * </ul>
 *
 * <p>One poll becomes one EVALSHA of {@link RedisMirrorScript}, whatever its size: the newest record per
 * field is written, guarded, together with {@code updatedAt} and one PUBLISH, and the loop commits only
 * after Redis answered.
 *
 * <p><b>The guard.</b> Each field's version is the offset of the tally record it came from. A field is
 * written only when the record is newer than the version Redis holds, so nothing can go backwards: not a
 * replay (a new group, or a retried batch), and not a replica that lost its partitions in a rebalance
 * but still writes a batch it polled before. The count itself would not do as a version: tallies only
 * grow until a tombstone deletes a key, after which the count starts again from 1 and "larger" no longer
 * means "newer"; the offset still does, and the guard keeps the tombstone's version, so a stale total
 * cannot bring a deleted key back. Offsets compare only within a partition: that holds because a key
 * always maps to the same partition (the tally topics' partition counts must never change, which Kafka
 * Streams requires anyway). A recreated tally topic starts at offset 0 again, so clear the
 * {@code quetzal:*} keys with it.
 */
public final class RedisTallySink implements StoreWriter<byte[], byte[]> {

  private static final Logger log = LoggerFactory.getLogger(RedisTallySink.class);

  /** Every topic this sink mirrors; one consumer reads them all. */
  public static final List<Topic<?, ?>> TOPICS =
      List.of(Topics.TALLIES_BANDS, Topics.TALLIES_ALBUMS, Topics.TALLIES_BANDS_PER_MINUTE, Topics.TALLIES_STATS);

  private final UnifiedJedis redis;
  private final LongSupplier clock;
  private final int timelineMaxMinutes;
  private final RecordDecoder decoder;
  private final Counter written;
  private final Counter refused;

  /**
   * Value hashes this sink has written as hashes: the script skips their type check, the largest share
   * of its commands otherwise. Only the sink's thread touches it. Bounded by the bands (a timeline hash
   * each) plus four.
   */
  private final Set<String> knownHashes = new HashSet<>();

  public RedisTallySink(UnifiedJedis redis, LongSupplier clock, int timelineMaxMinutes, MeterRegistry registry) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (timelineMaxMinutes < 1) {
      throw new IllegalArgumentException("timelineMaxMinutes must be positive");
    }
    this.timelineMaxMinutes = timelineMaxMinutes;
    this.decoder = new RecordDecoder(store(), registry);
    this.written =
        Counter.builder("quetzal.sink.fields.written")
            .description("Redis hash fields written or deleted because their tally record was newer")
            .tag("store", store())
            .register(registry);
    this.refused =
        Counter.builder("quetzal.sink.guard.refused")
            .description("Redis writes refused because Redis already held a newer version (replays, stale replicas)")
            .tag("store", store())
            .register(registry);
  }

  public static List<String> topicNames() {
    return TOPICS.stream().map(Topic::name).toList();
  }

  @Override
  public String store() {
    return "redis";
  }

  /**
   * Creates the stats the dashboard reads at 0 (never overwriting): see {@link StatsSeed}; and merges the
   * per-band timeline guards of earlier versions into one ({@link LegacyTimelineGuards}).
   */
  @Override
  public void prepare() {
    StatsSeed.seed(redis);
    long moved = LegacyTimelineGuards.merge(redis);
    if (moved > 0) {
      log.info("merged {} timeline guard fields of the per-band guard hashes into {}", moved, RedisKeys.TIMELINE_GUARD);
    }
  }

  @Override
  public void write(List<ConsumerRecord<byte[], byte[]>> batch) throws JsonProcessingException {
    write(batch, Map.of());
  }

  /** Also records, in the same script call, how far Redis holds each partition ({@link RedisKeys#SINK_POSITIONS}). */
  @Override
  public Map<TopicPartition, Long> write(List<ConsumerRecord<byte[], byte[]>> batch, Map<TopicPartition, Long> stored)
      throws JsonProcessingException {
    Plan plan = plan(batch);
    Map<TopicPartition, Long> next = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : batch) {
      next.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
    }
    List<RedisMirrorScript.Position> positions = new ArrayList<>();
    Map<String, TopicPartition> byField = new HashMap<>();
    next.forEach((partition, offset) -> {
      String field = partition.topic() + ":" + partition.partition();
      byField.put(field, partition);
      positions.add(new RedisMirrorScript.Position(field, stored.getOrDefault(partition, -1L), offset));
    });
    long now = clock.getAsLong();
    List<HashWrites> writes = plan.writes();
    RedisMirrorScript.Outcome outcome;
    try {
      outcome =
          RedisMirrorScript.run(
              redis,
              RedisMirrorScript.call(writes, now, plan.changeNote(now), timelineMaxMinutes, positions, knownHashes));
    } catch (RuntimeException e) {
      // Whatever failed, the retry checks every type again, so a wrong type fails it before any write.
      knownHashes.clear();
      throw e;
    }
    if (outcome.lost().isEmpty()) {
      writes.forEach(hash -> knownHashes.add(hash.key()));
    } else {
      knownHashes.clear(); // a Redis that lost writes may have lost more than values: check again
    }
    written.increment(outcome.accepted());
    refused.increment(outcome.refused());
    Map<TopicPartition, Long> lost = new LinkedHashMap<>();
    outcome.lost().forEach((field, offset) -> lost.put(byField.get(field), offset));
    return lost;
  }

  Plan plan(List<ConsumerRecord<byte[], byte[]>> batch) throws JsonProcessingException {
    return plan(batch, decoder);
  }

  /** The newest write per hash field of a batch, by topic. Unreadable records are skipped (and counted). */
  static Plan plan(List<ConsumerRecord<byte[], byte[]>> batch, RecordDecoder decoder) throws JsonProcessingException {
    Plan plan = new Plan();
    for (ConsumerRecord<byte[], byte[]> raw : batch) {
      String topic = raw.topic();
      if (topic.equals(Topics.TALLIES_BANDS.name())) {
        var record = decoder.decode(Topics.TALLIES_BANDS, raw);
        if (record.isPresent() && hasKey(decoder, raw, record.get().key())) {
          plan.put(RedisKeys.BAND_TOTALS, null, record.get().key(), raw.offset(), text(record.get().value()));
        }
      } else if (topic.equals(Topics.TALLIES_ALBUMS.name())) {
        var record = decoder.decode(Topics.TALLIES_ALBUMS, raw);
        if (record.isPresent() && hasKey(decoder, raw, record.get().key())) {
          AlbumKey album = record.get().key();
          AlbumTally tally = record.get().value();
          plan.put(RedisKeys.ALBUM_TOTALS, null, album.label(), raw.offset(), tally == null ? null : Long.toString(tally.count()));
          plan.put(RedisKeys.ALBUM_STATS, null, album.label(), raw.offset(), tally == null ? null : albumStatsJson(album, tally));
        }
      } else if (topic.equals(Topics.TALLIES_BANDS_PER_MINUTE.name())) {
        var record = decoder.decode(Topics.TALLIES_BANDS_PER_MINUTE, raw);
        if (record.isPresent() && hasKey(decoder, raw, record.get().key())) {
          BandMinute minute = record.get().key();
          if (minute.band().isEmpty() || minute.minuteStart() <= 0) {
            // A stream entry needs a field name and an ID above 0-0: such a record could only fail forever.
            decoder.skip(raw, "timeline key " + minute + " cannot be drawn");
          } else {
            plan.put(
                RedisKeys.bandMinutes(minute.band()),
                RedisKeys.TIMELINE_GUARD,
                RedisKeys.timelineGuardPrefix(minute.band()),
                minute.band(),
                Timeline.field(minute.minuteStart()),
                raw.offset(),
                text(record.get().value()));
          }
        }
      } else if (topic.equals(Topics.TALLIES_STATS.name())) {
        var record = decoder.decode(Topics.TALLIES_STATS, raw);
        if (record.isPresent() && hasKey(decoder, raw, record.get().key())) {
          if (record.get().key().equals(RedisKeys.STAT_UPDATED_AT)) {
            decoder.skip(raw, "the stats key " + RedisKeys.STAT_UPDATED_AT + " is the sink's own field");
          } else {
            plan.put(RedisKeys.STATS, null, record.get().key(), raw.offset(), text(record.get().value()));
          }
        }
      } else {
        decoder.skip(raw, "not a tally topic");
      }
    }
    return plan;
  }

  private static boolean hasKey(RecordDecoder decoder, ConsumerRecord<byte[], byte[]> raw, Object key) {
    if (key == null) {
      decoder.skip(raw, "no key");
      return false;
    }
    return true;
  }

  private static String text(Long value) {
    return value == null ? null : Long.toString(value);
  }

  /** The album statistics as the web app reads them; band and album from the key, which names the field. */
  static String albumStatsJson(AlbumKey album, AlbumTally tally) throws JsonProcessingException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("band", album.band());
    json.put("album", album.album());
    json.put("count", tally.count());
    json.put("rankSum", tally.rankSum());
    json.put("rankMin", tally.rankMin());
    json.put("rankMax", tally.rankMax());
    json.put("rankAverage", tally.rankAverage());
    return Json.MAPPER.writeValueAsString(json);
  }

  @Override
  public void ping() {
    redis.ping();
  }

  /** The topic ids this Redis mirrors ({@link TopicIds}). */
  Map<String, String> recordedTopicIds() {
    return redis.hgetAll(RedisKeys.SINK_TOPICS);
  }

  void recordTopicIds(Map<String, String> ids) {
    ids.forEach((topic, id) -> redis.hsetnx(RedisKeys.SINK_TOPICS, topic, id));
  }

  @Override
  public Map<TopicPartition, Long> check(Map<TopicPartition, Long> stored) {
    Map<String, String> positions = redis.hgetAll(RedisKeys.SINK_POSITIONS);
    Map<TopicPartition, Long> lost = new LinkedHashMap<>();
    stored.forEach((partition, held) -> {
      String value = positions.get(partition.topic() + ":" + partition.partition());
      long position = value == null ? 0 : Long.parseLong(value);
      if (position < held) {
        lost.put(partition, position);
      }
    });
    return lost;
  }

  /** The newest write per (hash, field) of one batch, in first-seen order. */
  static final class Plan {
    private record Hash(String guardKey, String guardPrefix, String streamField, Map<String, FieldWrite> fields) {}

    private final Map<String, Hash> hashes = new LinkedHashMap<>();

    /**
     * Keeps the write with the highest offset: a field's records come from one partition, in offset
     * order, so this is the last one, and it stays correct for records handed over in any order.
     */
    void put(String key, String streamField, String field, long version, String value) {
      put(key, RedisKeys.guardOf(key), "", streamField, field, version, value);
    }

    void put(String key, String guardKey, String guardPrefix, String streamField, String field, long version, String value) {
      Hash hash =
          hashes.computeIfAbsent(key, k -> new Hash(guardKey, guardPrefix, streamField, new LinkedHashMap<>()));
      FieldWrite current = hash.fields().get(field);
      if (current == null || version > current.version()) {
        hash.fields().put(field, new FieldWrite(field, version, value));
      }
    }

    boolean isEmpty() {
      return hashes.isEmpty();
    }

    List<HashWrites> writes() {
      List<HashWrites> writes = new ArrayList<>(hashes.size());
      hashes.forEach(
          (key, hash) ->
              writes.add(
                  new HashWrites(
                      key, hash.guardKey(), hash.guardPrefix(), hash.streamField(), new ArrayList<>(hash.fields().values()))));
      return writes;
    }

    private int fieldsOf(String key) {
      Hash hash = hashes.get(key);
      return hash == null ? 0 : hash.fields().size();
    }

    /**
     * The pub/sub message live pages react to: how many fields of each kind this batch carried, and
     * when. Small, and enough to decide what to re-read. Published only if something actually changed.
     */
    String changeNote(long updatedAt) throws JsonProcessingException {
      int minutes = 0;
      for (Map.Entry<String, Hash> entry : hashes.entrySet()) {
        if (entry.getValue().streamField() != null) {
          minutes += entry.getValue().fields().size();
        }
      }
      Map<String, Object> note = new LinkedHashMap<>();
      note.put("kind", "tallies");
      note.put("bands", fieldsOf(RedisKeys.BAND_TOTALS));
      note.put("albums", fieldsOf(RedisKeys.ALBUM_TOTALS));
      note.put("minutes", minutes);
      note.put("stats", fieldsOf(RedisKeys.STATS));
      note.put("updatedAt", updatedAt);
      return Json.MAPPER.writeValueAsString(note);
    }
  }
}
