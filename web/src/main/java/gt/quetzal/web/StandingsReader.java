package gt.quetzal.web;

import java.util.Map;

/** Reads the live tallies (Redis in production). Any exception means "the store cannot answer now". */
public interface StandingsReader {

  /** Band totals as the sinks mirrored them, unsorted, plus when they were last updated. */
  Snapshot read();

  /** A cheap reachability check for /readyz; by default a full read. */
  default void ping() {
    read();
  }

  /**
   * @param totals    band name → absolute total
   * @param updatedAt epoch millis of the sinks' last write, {@code null} if they never wrote
   */
  record Snapshot(Map<String, Long> totals, Long updatedAt) {
    public Snapshot {
      totals = Map.copyOf(totals);
    }
  }
}
