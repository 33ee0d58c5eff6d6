package gt.quetzal.web;

import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Timeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;

/**
 * Reads the sinks' per-band minute timeline, {@link RedisKeys#bandMinutes(String)}: one hash per band,
 * field = {@link Timeline#field} of the minute, value = absolute count in that minute. HMGET asks for
 * exactly the minutes shown, so a long contest does not make the chart slower.
 */
public final class RedisTimelineReader implements TimelineReader {

  private final RedisClient redis;

  public RedisTimelineReader(RedisClient redis) {
    this.redis = Objects.requireNonNull(redis, "redis");
  }

  @Override
  public Map<Long, Long> band(String band, List<Long> minuteStarts) {
    return counts(minuteStarts, redis.hmget(RedisKeys.bandMinutes(band), fields(minuteStarts)));
  }

  @Override
  public Map<String, Map<Long, Long>> allBands(List<Long> minuteStarts) {
    Set<String> bands = redis.hkeys(RedisKeys.BAND_TOTALS);
    String[] fields = fields(minuteStarts);
    Map<String, Response<List<String>>> replies = new LinkedHashMap<>();
    try (Pipeline pipe = redis.pipelined()) {
      for (String band : bands) {
        replies.put(band, pipe.hmget(RedisKeys.bandMinutes(band), fields));
      }
      pipe.sync();
    }
    Map<String, Map<Long, Long>> timelines = new LinkedHashMap<>();
    replies.forEach((band, reply) -> timelines.put(band, counts(minuteStarts, reply.get())));
    return timelines;
  }

  private static String[] fields(List<Long> minuteStarts) {
    return minuteStarts.stream().map(Timeline::field).toArray(String[]::new);
  }

  /** Missing or non-numeric fields count as 0: a minute nobody voted in has no field at all. */
  static Map<Long, Long> counts(List<Long> minuteStarts, List<String> values) {
    Map<Long, Long> counts = new LinkedHashMap<>();
    List<String> padded = values == null ? new ArrayList<>() : values;
    for (int i = 0; i < minuteStarts.size(); i++) {
      Long count = i < padded.size() ? RedisStandingsReader.parseLong(padded.get(i)) : null;
      counts.put(minuteStarts.get(i), count == null ? 0L : count);
    }
    return counts;
  }
}
