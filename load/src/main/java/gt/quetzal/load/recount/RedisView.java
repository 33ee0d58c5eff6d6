package gt.quetzal.load.recount;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Timeline;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.StreamEntry;

/**
 * What Redis serves, read back key by key ({@code docs/redis-keys.md}): the hashes as {@link
 * Aggregates} (album rank statistics from {@code album-stats}), plus the two keys that repeat them
 * for Grafana, the album totals hash and the per-minute stream. A field that does not parse is kept
 * as {@code -1}, so it shows up as a difference instead of vanishing.
 */
public record RedisView(
    Aggregates hashes, SortedMap<String, Long> albumTotals, SortedMap<Long, SortedMap<String, Long>> stream) {

  public static RedisView read(UnifiedJedis redis) {
    SortedMap<String, Long> bands = longs(redis.hgetAll(RedisKeys.BAND_TOTALS));
    SortedMap<String, AlbumTally> albums = new TreeMap<>();
    redis.hgetAll(RedisKeys.ALBUM_STATS).forEach((label, json) -> albums.put(label, albumTally(json)));
    SortedMap<String, SortedMap<Long, Long>> minutes = new TreeMap<>();
    for (String key : keys(redis, RedisKeys.BAND_MINUTES_PREFIX + "*")) {
      SortedMap<Long, Long> counts = new TreeMap<>();
      longs(redis.hgetAll(key)).forEach((field, count) -> counts.put(parse(field), count));
      minutes.put(key.substring(RedisKeys.BAND_MINUTES_PREFIX.length()), counts);
    }
    SortedMap<String, Long> stats = longs(redis.hgetAll(RedisKeys.STATS));
    stats.remove(RedisKeys.STAT_UPDATED_AT);
    SortedMap<Long, SortedMap<String, Long>> stream = new TreeMap<>();
    for (StreamEntry entry : redis.xrange(RedisKeys.TIMELINE_STREAM, "-", "+")) {
      stream.put(entry.getID().getTime(), longs(entry.getFields()));
    }
    return new RedisView(
        new Aggregates(bands, albums, minutes, stats), longs(redis.hgetAll(RedisKeys.ALBUM_TOTALS)), stream);
  }

  private static List<String> keys(UnifiedJedis redis, String pattern) {
    List<String> keys = new ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(pattern).count(500));
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }

  private static SortedMap<String, Long> longs(Map<String, String> fields) {
    SortedMap<String, Long> values = new TreeMap<>();
    fields.forEach((field, value) -> values.put(field, parse(value)));
    return values;
  }

  private static long parse(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static AlbumTally albumTally(String json) {
    try {
      JsonNode node = Json.MAPPER.readTree(json);
      return new AlbumTally(
          node.path("band").asText(),
          node.path("album").asText(),
          node.path("count").asLong(-1),
          node.path("rankSum").asLong(-1),
          node.path("rankMin").asInt(-1),
          node.path("rankMax").asInt(-1));
    } catch (IOException e) {
      return new AlbumTally("?", "?", -1, -1, -1, -1);
    }
  }

  /** The stream the hashes of {@code minutes} imply, newest {@code entries} minutes, as the sinks write it. */
  static SortedMap<Long, SortedMap<String, Long>> impliedStream(
      SortedMap<String, SortedMap<Long, Long>> minutes, int entries) {
    Map<String, Map<String, String>> hashes = new TreeMap<>();
    minutes.forEach((band, counts) -> {
      Map<String, String> fields = new TreeMap<>();
      counts.forEach((minute, count) -> fields.put(Timeline.field(minute), Long.toString(count)));
      hashes.put(band, fields);
    });
    SortedMap<Long, SortedMap<String, Long>> stream = new TreeMap<>();
    Timeline.streamOf(hashes, entries).forEach((minute, fields) -> stream.put(minute, longs(fields)));
    return stream;
  }
}
