package gt.quetzal.load.recount;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.Stats;
import gt.quetzal.contract.Timeline;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every aggregate Quetzal serves, as one source holds it: band totals, album totals with rank
 * statistics (keyed by {@link AlbumKey#label()}), per-band counts per minute, and the stats. Built
 * from the vote log by {@link Builder}, or read back from Redis by {@link RedisAggregates}.
 */
public record Aggregates(
    SortedMap<String, Long> bands,
    SortedMap<String, AlbumTally> albums,
    SortedMap<String, SortedMap<Long, Long>> minutes,
    SortedMap<String, Long> stats) {

  public Aggregates {
    bands = Collections.unmodifiableSortedMap(new TreeMap<>(bands));
    albums = Collections.unmodifiableSortedMap(new TreeMap<>(albums));
    TreeMap<String, SortedMap<Long, Long>> copy = new TreeMap<>();
    minutes.forEach((band, counts) -> copy.put(band, Collections.unmodifiableSortedMap(new TreeMap<>(counts))));
    minutes = Collections.unmodifiableSortedMap(copy);
    stats = Collections.unmodifiableSortedMap(new TreeMap<>(stats));
  }

  /** Folds votes and rejections one at a time, the way the streams app counts them. */
  public static final class Builder {

    private final TreeMap<String, Long> bands = new TreeMap<>();
    private final TreeMap<String, AlbumTally> albums = new TreeMap<>();
    private final TreeMap<String, SortedMap<Long, Long>> minutes = new TreeMap<>();
    private final TreeMap<String, Long> stats = new TreeMap<>();

    /** One accepted vote, placed in the minute of its event time ({@code timestamp}, epoch ms). */
    public Builder accepted(String band, String album, int rank, long timestamp) {
      bands.merge(band, 1L, Long::sum);
      String label = new AlbumKey(band, album).label();
      AlbumTally before = albums.get(label);
      albums.put(label, before == null ? AlbumTally.first(band, album, rank) : before.plus(rank));
      minutes.computeIfAbsent(band, b -> new TreeMap<>()).merge(Timeline.minuteStart(timestamp), 1L, Long::sum);
      return count(Stats.ACCEPTED, 1);
    }

    /** One rejection, counted in the total and under its reason. */
    public Builder rejected(String reason) {
      count(Stats.REJECTED, 1);
      return count(Stats.rejected(reason), 1);
    }

    public Builder count(String stat, long n) {
      stats.merge(stat, n, Long::sum);
      return this;
    }

    public long stat(String stat) {
      return stats.getOrDefault(stat, 0L);
    }

    public Aggregates build() {
      return new Aggregates(bands, albums, minutes, stats);
    }
  }
}
