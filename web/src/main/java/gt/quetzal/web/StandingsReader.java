package gt.quetzal.web;

import java.util.List;
import java.util.Map;

/** Reads the live tallies (Redis in production). Any exception means "the store cannot answer now". */
public interface StandingsReader {

  /** Band totals, album statistics and contest counters as the sinks mirrored them, in one read. */
  Snapshot read();

  /** A cheap reachability check for /readyz; by default a full read. */
  default void ping() {
    read();
  }

  /**
   * @param totals    band name → absolute total
   * @param albums    every album's statistics, unsorted
   * @param counters  the numeric fields of the stats hash ({@code accepted}, {@code duplicates},
   *                  {@code rejected}, {@code rejected.<reason>}), without {@code updatedAt}
   * @param updatedAt epoch millis of the sinks' last write, {@code null} if they never wrote
   */
  record Snapshot(Map<String, Long> totals, List<AlbumStat> albums, Map<String, Long> counters, Long updatedAt) {
    public Snapshot {
      totals = Map.copyOf(totals);
      albums = List.copyOf(albums);
      counters = Map.copyOf(counters);
    }

    /** Band totals only: what a mirror that has no album or stats writer yet looks like. */
    public Snapshot(Map<String, Long> totals, Long updatedAt) {
      this(totals, List.of(), Map.of(), updatedAt);
    }
  }
}
