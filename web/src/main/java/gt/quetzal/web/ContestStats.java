package gt.quetzal.web;

import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Stats;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of {@code GET /api/stats} and the status strip.
 *
 * <p>{@code accepted} falls back to the sum of band totals and {@code rejected} to the sum of the
 * per-reason counters, so the strip is right even before the sinks mirror every counter.
 *
 * @param rejectedByReason reason → count, sorted by reason
 * @param votesPerSecond   accepted votes per second over the last few seconds (see {@link VoteRate})
 */
public record ContestStats(
    long accepted,
    long duplicates,
    long rejected,
    Map<String, Long> rejectedByReason,
    Long updatedAt,
    double votesPerSecond) {

  private static final String REASON_PREFIX = Stats.rejected("");

  public static ContestStats of(StandingsReader.Snapshot snapshot, double votesPerSecond) {
    return new ContestStats(
        accepted(snapshot),
        snapshot.counters().getOrDefault(RedisKeys.STAT_DUPLICATES, 0L),
        rejected(snapshot),
        byReason(snapshot.counters()),
        snapshot.updatedAt(),
        votesPerSecond);
  }

  /** The accepted counter, or the sum of the band totals when the stats writer has not written it. */
  static long accepted(StandingsReader.Snapshot snapshot) {
    Long accepted = snapshot.counters().get(RedisKeys.STAT_ACCEPTED);
    return accepted != null ? accepted : snapshot.totals().values().stream().mapToLong(Long::longValue).sum();
  }

  private static long rejected(StandingsReader.Snapshot snapshot) {
    Long rejected = snapshot.counters().get(RedisKeys.STAT_REJECTED);
    return rejected != null ? rejected : byReason(snapshot.counters()).values().stream().mapToLong(Long::longValue).sum();
  }

  static Map<String, Long> byReason(Map<String, Long> counters) {
    Map<String, Long> reasons = new TreeMap<>();
    counters.forEach(
        (field, value) -> {
          if (field.startsWith(REASON_PREFIX) && field.length() > REASON_PREFIX.length()) {
            reasons.put(field.substring(REASON_PREFIX.length()), value);
          }
        });
    return reasons;
  }
}
