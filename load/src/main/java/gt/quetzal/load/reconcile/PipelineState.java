package gt.quetzal.load.reconcile;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pipeline's counters at one moment: the streams app's stats ({@code GET /api/stats}, flattened to
 * the {@link gt.quetzal.contract.Stats} keys), the Redis stats hash and band totals, and the sizes of
 * the MongoDB vote log. A run is judged on the difference between two of these.
 */
public record PipelineState(
    Map<String, Long> streamsStats,
    Map<String, Long> redisStats,
    Map<String, Long> redisBands,
    long mongoVotes,
    long mongoRejected) {

  public PipelineState {
    streamsStats = Map.copyOf(streamsStats);
    redisStats = Map.copyOf(redisStats);
    redisBands = Map.copyOf(redisBands);
  }

  /** This state minus {@code before}, key by key (a key missing on either side counts as 0). */
  public PipelineState minus(PipelineState before) {
    return new PipelineState(
        difference(streamsStats, before.streamsStats),
        difference(redisStats, before.redisStats),
        difference(redisBands, before.redisBands),
        mongoVotes - before.mongoVotes,
        mongoRejected - before.mongoRejected);
  }

  private static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
    Set<String> keys = new HashSet<>(after.keySet());
    keys.addAll(before.keySet());
    Map<String, Long> delta = new HashMap<>();
    for (String key : keys) {
      long d = after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
      if (d != 0) {
        delta.put(key, d);
      }
    }
    return new TreeMap<>(delta);
  }
}
