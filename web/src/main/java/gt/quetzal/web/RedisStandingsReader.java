package gt.quetzal.web;

import gt.quetzal.contract.RedisKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;

/** Reads the sinks' mirror: {@link RedisKeys#BAND_TOTALS} and {@link RedisKeys#STATS}, in one round trip. */
public final class RedisStandingsReader implements StandingsReader {

  private static final Logger log = LoggerFactory.getLogger(RedisStandingsReader.class);

  private final RedisClient redis;

  public RedisStandingsReader(RedisClient redis) {
    this.redis = Objects.requireNonNull(redis, "redis");
  }

  @Override
  public Snapshot read() {
    Response<Map<String, String>> totals;
    Response<String> updatedAt;
    try (Pipeline pipe = redis.pipelined()) {
      totals = pipe.hgetAll(RedisKeys.BAND_TOTALS);
      updatedAt = pipe.hget(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT);
      pipe.sync();
    }
    return new Snapshot(parseTotals(totals.get()), parseLong(updatedAt.get()));
  }

  /** A field that is not a number is skipped (and logged): one bad field must not hide every band. */
  static Map<String, Long> parseTotals(Map<String, String> raw) {
    Map<String, Long> totals = new LinkedHashMap<>();
    raw.forEach(
        (band, value) -> {
          Long total = parseLong(value);
          if (total == null) {
            log.warn("ignoring non-numeric total {}={} in {}", band, value, RedisKeys.BAND_TOTALS);
          } else {
            totals.put(band, total);
          }
        });
    return totals;
  }

  private static Long parseLong(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void ping() {
    redis.ping();
  }
}
