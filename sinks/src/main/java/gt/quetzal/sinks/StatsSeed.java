package gt.quetzal.sinks;

import gt.quetzal.contract.RedisKeys;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;

/**
 * Zero is a value: the stats a dashboard reads field by field ({@code HGET quetzal:stats duplicates})
 * exist from the sink's first contact with Redis, at 0, instead of appearing with the first duplicate.
 * HSETNX never overwrites, so a real count (or a replica that wrote first) always wins, and the guard
 * is untouched: the first tally record for a field is still written.
 */
final class StatsSeed {

  /** The stats the scoreboard's stat panels read. */
  static final List<String> FIELDS = List.of(RedisKeys.STAT_ACCEPTED, RedisKeys.STAT_REJECTED, RedisKeys.STAT_DUPLICATES);

  private StatsSeed() {}

  /** Creates each missing field at 0, in one round trip; returns how many were created. */
  static long seed(UnifiedJedis redis) {
    try (AbstractPipeline pipeline = redis.pipelined()) {
      var replies = FIELDS.stream().map(f -> pipeline.hsetnx(RedisKeys.STATS, f, "0")).toList();
      pipeline.sync();
      return replies.stream().mapToLong(r -> r.get()).sum();
    }
  }
}
