package gt.quetzal.web;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;

/**
 * Reads the sinks' mirror — {@link RedisKeys#BAND_TOTALS}, {@link RedisKeys#ALBUM_STATS} and
 * {@link RedisKeys#STATS} — in one round trip, so the three always come from the same moment.
 */
public final class RedisStandingsReader implements StandingsReader {

  private static final Logger log = LoggerFactory.getLogger(RedisStandingsReader.class);

  private final RedisClient redis;

  public RedisStandingsReader(RedisClient redis) {
    this.redis = Objects.requireNonNull(redis, "redis");
  }

  @Override
  public Snapshot read() {
    Response<Map<String, String>> totals;
    Response<Map<String, String>> albums;
    Response<Map<String, String>> stats;
    try (Pipeline pipe = redis.pipelined()) {
      totals = pipe.hgetAll(RedisKeys.BAND_TOTALS);
      albums = pipe.hgetAll(RedisKeys.ALBUM_STATS);
      stats = pipe.hgetAll(RedisKeys.STATS);
      pipe.sync();
    }
    Map<String, String> rawStats = new LinkedHashMap<>(stats.get());
    Long updatedAt = parseLong(rawStats.remove(RedisKeys.STAT_UPDATED_AT));
    return new Snapshot(
        parseCounts(totals.get(), RedisKeys.BAND_TOTALS),
        parseAlbums(albums.get()),
        parseCounts(rawStats, RedisKeys.STATS),
        updatedAt);
  }

  /** A field that is not a number is skipped (and logged): one bad field must not hide every band. */
  static Map<String, Long> parseTotals(Map<String, String> raw) {
    return parseCounts(raw, RedisKeys.BAND_TOTALS);
  }

  private static Map<String, Long> parseCounts(Map<String, String> raw, String key) {
    Map<String, Long> counts = new LinkedHashMap<>();
    raw.forEach(
        (field, value) -> {
          Long count = parseLong(value);
          if (count == null) {
            log.warn("ignoring non-numeric field {}={} in {}", field, value, key);
          } else {
            counts.put(field, count);
          }
        });
    return counts;
  }

  /**
   * Album statistics are JSON {@code {band, album, count, rankSum, rankMin, rankMax, rankAverage}}. The
   * band and album come from the JSON, not the "Band — Album" field, because a name may contain " — ".
   * An entry that does not parse is skipped and logged.
   */
  static List<AlbumStat> parseAlbums(Map<String, String> raw) {
    List<AlbumStat> albums = new ArrayList<>(raw.size());
    raw.forEach(
        (field, json) -> {
          AlbumStat album = parseAlbum(json);
          if (album == null) {
            log.warn("ignoring unreadable album statistics {} in {}", field, RedisKeys.ALBUM_STATS);
          } else {
            albums.add(album);
          }
        });
    return albums;
  }

  private static AlbumStat parseAlbum(String json) {
    try {
      JsonNode node = Json.MAPPER.readTree(json);
      if (node == null || !node.path("band").isTextual() || !node.path("album").isTextual()
          || !node.path("count").canConvertToLong()) {
        return null;
      }
      long count = node.get("count").asLong();
      double average =
          node.path("rankAverage").isNumber()
              ? node.get("rankAverage").asDouble()
              : count == 0 ? 0 : node.path("rankSum").asDouble() / count;
      return new AlbumStat(
          node.get("band").asText(),
          node.get("album").asText(),
          count,
          average,
          node.path("rankMin").asInt(),
          node.path("rankMax").asInt());
    } catch (java.io.IOException e) {
      return null;
    }
  }

  static Long parseLong(String value) {
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
