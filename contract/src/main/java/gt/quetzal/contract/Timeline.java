package gt.quetzal.contract;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a minute of the timeline is encoded in Redis. In a band's hash ({@link RedisKeys#bandMinutes}) the
 * field is the window start in epoch millis, in decimal; on the stream ({@link RedisKeys#TIMELINE_STREAM})
 * the entry ID is {@code <minuteStart>-0}, which Grafana's redis-datasource reads as the entry's time.
 * The sinks' script writes both from the same accepted values, and the web page reads the hashes
 * back through {@link #field}, so the stream is always the hashes pivoted:
 * {@link #streamOf} states that invariant, and the tests hold Redis to it.
 */
public final class Timeline {

  public static final long MINUTE_MS = 60_000;

  private Timeline() {}

  /** The start of the minute holding {@code timestamp} (epoch ms): the minute a vote is counted in. */
  public static long minuteStart(long timestamp) {
    return timestamp - Math.floorMod(timestamp, MINUTE_MS);
  }

  /** The hash field of a minute: canonical decimal, the form the script also parses out of entry IDs. */
  public static String field(long minuteStart) {
    if (minuteStart <= 0 || minuteStart % MINUTE_MS != 0) {
      throw new IllegalArgumentException("not a positive minute boundary: " + minuteStart);
    }
    return Long.toString(minuteStart);
  }

  /** The stream entry ID of a minute: explicit and deterministic, so a rewrite lands on the same ID. */
  public static String entryId(long minuteStart) {
    return field(minuteStart) + "-0";
  }

  /** The minute an entry ID stands for (the millisecond part of {@code ms-seq}). */
  public static long minuteOf(String entryId) {
    int dash = entryId.indexOf('-');
    if (dash <= 0) {
      throw new IllegalArgumentException("not a stream entry ID: " + entryId);
    }
    return Long.parseLong(entryId.substring(0, dash));
  }

  /**
   * The stream the per-band hashes imply: minute → (band → count), newest {@code maxMinutes} minutes. A
   * minute in which no band has a count has no entry. (The script orders an entry's fields by the Redis
   * server's string collation; compare entries as maps.)
   *
   * @param hashes band → (hash field → count), as read with HGETALL
   */
  public static SortedMap<Long, SortedMap<String, String>> streamOf(Map<String, Map<String, String>> hashes, int maxMinutes) {
    TreeMap<Long, SortedMap<String, String>> stream = new TreeMap<>();
    hashes.forEach(
        (band, minutes) ->
            minutes.forEach(
                (minute, count) -> stream.computeIfAbsent(Long.parseLong(minute), m -> new TreeMap<>()).put(band, count)));
    while (stream.size() > maxMinutes) {
      stream.pollFirstEntry();
    }
    return stream;
  }
}
