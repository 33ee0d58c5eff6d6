package gt.quetzal.sinks;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;

/**
 * Mirrors {@link Topics#TALLIES_BANDS} into the {@link RedisKeys#BAND_TOTALS} hash.
 *
 * <p>The topic carries absolute totals, so the mirror is a plain HSET of the latest value per band:
 * replaying any prefix of the topic converges to the same hash, which HINCRBY could never promise. One
 * poll becomes one pipeline of three commands (HSET totals, HSET stats, PUBLISH), whatever its size.
 *
 * <p>Replicas: a band's key lives in one partition and a partition has one owner at a time, so two
 * replicas never race on a band while both are in the group. A member that loses partitions drops their
 * held records ({@link SinkLoop}), and an outage cannot get it evicted (it keeps polling while paused).
 * The remaining window is a member evicted <em>during</em> a write (e.g. a pause longer than
 * {@code session.timeout.ms}): it could still write an older total after the new owner wrote a newer one.
 * Closing that needs a conditional write (only when newer), which is issue 5's to add.
 */
public final class RedisTallySink implements StoreWriter<String, Long> {

  private final RedisClient redis;
  private final LongSupplier clock;

  public RedisTallySink(RedisClient redis, LongSupplier clock) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String store() {
    return "redis";
  }

  /**
   * The latest value per band in a batch, in first-seen order. A band's key always lands in the same
   * partition and a partition's records arrive in offset order, so "last one wins" is "newest wins".
   * A {@code null} value is a tombstone and stays in the map as {@code null} (the band is deleted).
   * Records without a key cannot name a band and are ignored.
   */
  static Map<String, Long> latestPerBand(List<ConsumerRecord<String, Long>> batch) {
    Map<String, Long> latest = new LinkedHashMap<>();
    for (ConsumerRecord<String, Long> record : batch) {
      if (record.key() != null) {
        latest.put(record.key(), record.value());
      }
    }
    return latest;
  }

  @Override
  public void write(List<ConsumerRecord<String, Long>> batch) throws JsonProcessingException {
    Map<String, Long> latest = latestPerBand(batch);
    if (latest.isEmpty()) {
      return;
    }
    Map<String, String> totals = new LinkedHashMap<>();
    List<String> deleted = new ArrayList<>();
    latest.forEach(
        (band, total) -> {
          if (total == null) {
            deleted.add(band);
          } else {
            totals.put(band, Long.toString(total));
          }
        });
    long now = clock.getAsLong();
    String note = changeNote(latest.size(), now);

    List<Response<?>> replies = new ArrayList<>(4);
    try (Pipeline pipe = redis.pipelined()) {
      if (!totals.isEmpty()) {
        replies.add(pipe.hset(RedisKeys.BAND_TOTALS, totals));
      }
      if (!deleted.isEmpty()) {
        replies.add(pipe.hdel(RedisKeys.BAND_TOTALS, deleted.toArray(String[]::new)));
      }
      replies.add(pipe.hset(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT, Long.toString(now)));
      replies.add(pipe.publish(RedisKeys.CHANGES_CHANNEL, note));
      pipe.sync();
    }
    // sync() only throws on I/O errors; a server-side error (WRONGTYPE, NOAUTH, OOM) surfaces on get().
    for (Response<?> reply : replies) {
      reply.get();
    }
  }

  /** The pub/sub message live pages react to: small, and enough to decide whether to re-read. */
  static String changeNote(int changedBands, long updatedAt) throws JsonProcessingException {
    Map<String, Object> note = new LinkedHashMap<>();
    note.put("kind", "bands");
    note.put("changed", changedBands);
    note.put("updatedAt", updatedAt);
    return Json.MAPPER.writeValueAsString(note);
  }

  @Override
  public void ping() {
    redis.ping();
  }
}
