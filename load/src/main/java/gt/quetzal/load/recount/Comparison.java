package gt.quetzal.load.recount;

import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.Stats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A recount held against what Redis serves, one line per aggregate. A key missing on one side counts
 * as zero there: Redis seeds a contest's bands and the stats at 0, and a minute nobody voted in has no
 * field. Every difference is kept, so a lost vote and a doubled vote in the same band, which cancel
 * out in the band total, still show in the albums or the minutes.
 */
public final class Comparison {

  /** One aggregate: how many keys were compared, and each key whose values differ. */
  public record Line(Aggregate aggregate, int keys, List<Difference> differences) {
    public boolean agrees() {
      return differences.isEmpty();
    }
  }

  /** One key whose recounted value is not the one Redis serves. */
  public record Difference(String key, String recounted, String redis) {
    @Override
    public String toString() {
      return key + ": recount " + recounted + ", redis " + redis;
    }
  }

  /** The aggregates, in the report's order, each named as the report prints it. */
  public enum Aggregate {
    BANDS("band totals"),
    ALBUMS("album totals"),
    ALBUM_RANKS("album rank stats"),
    MINUTES("votes per minute"),
    STREAM("timeline stream"),
    STATS("stats");

    private final String label;

    Aggregate(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private Comparison() {}

  /** @param withDuplicates whether the source recounts duplicates (MongoDB does not) */
  public static List<Line> compare(Aggregates recount, RedisView redis, boolean withDuplicates) {
    List<Line> lines = new ArrayList<>();
    lines.add(line(Aggregate.BANDS, recount.bands(), redis.hashes().bands(), String::valueOf));
    SortedMap<String, Long> albumCounts = new TreeMap<>();
    recount.albums().forEach((label, tally) -> albumCounts.put(label, tally.count()));
    lines.add(line(Aggregate.ALBUMS, albumCounts, redis.albumTotals(), String::valueOf));
    lines.add(line(Aggregate.ALBUM_RANKS, recount.albums(), redis.hashes().albums(), Comparison::ranks));
    lines.add(line(Aggregate.MINUTES, flatten(recount.minutes()), flatten(redis.hashes().minutes()), String::valueOf));
    SortedMap<Long, SortedMap<String, Long>> implied =
        RedisView.impliedStream(recount.minutes(), Math.max(redis.stream().size(), 1));
    lines.add(line(Aggregate.STREAM, flattenStream(implied), flattenStream(redis.stream()), String::valueOf));
    SortedMap<String, Long> redisStats = new TreeMap<>(redis.hashes().stats());
    SortedMap<String, Long> recountStats = new TreeMap<>(recount.stats());
    if (!withDuplicates) {
      redisStats.remove(Stats.DUPLICATES);
      recountStats.remove(Stats.DUPLICATES);
    }
    lines.add(line(Aggregate.STATS, recountStats, redisStats, String::valueOf));
    return lines;
  }

  private static String ranks(AlbumTally t) {
    return "count " + t.count() + ", rank sum " + t.rankSum() + ", min " + t.rankMin() + ", max " + t.rankMax();
  }

  private static <V> Line line(
      Aggregate aggregate, Map<String, V> recounted, Map<String, V> served, Function<V, String> show) {
    TreeSet<String> keys = new TreeSet<>(recounted.keySet());
    keys.addAll(served.keySet());
    List<Difference> differences = new ArrayList<>();
    for (String key : keys) {
      V mine = recounted.get(key);
      V theirs = served.get(key);
      if (!isZero(mine) || !isZero(theirs)) {
        if (!Objects.equals(mine, theirs)) {
          differences.add(new Difference(key, mine == null ? "none" : show.apply(mine), theirs == null ? "none" : show.apply(theirs)));
        }
      }
    }
    return new Line(aggregate, keys.size(), List.copyOf(differences));
  }

  private static boolean isZero(Object value) {
    return value == null || (value instanceof Long n && n == 0);
  }

  private static SortedMap<String, Long> flatten(SortedMap<String, SortedMap<Long, Long>> minutes) {
    SortedMap<String, Long> flat = new TreeMap<>();
    minutes.forEach((band, counts) -> counts.forEach((minute, count) -> flat.put(band + " @ " + Instant.ofEpochMilli(minute), count)));
    return flat;
  }

  private static SortedMap<String, Long> flattenStream(SortedMap<Long, SortedMap<String, Long>> stream) {
    SortedMap<String, Long> flat = new TreeMap<>();
    stream.forEach((minute, fields) -> fields.forEach((band, count) -> flat.put(band + " @ " + Instant.ofEpochMilli(minute), count)));
    return flat;
  }
}
