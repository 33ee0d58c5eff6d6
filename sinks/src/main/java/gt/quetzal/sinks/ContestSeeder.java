package gt.quetzal.sinks;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.ContestState;
import gt.quetzal.contract.RedisKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Puts every band of a catalog contest into the band totals at 0, so the live page and Grafana list
 * every contestant before its first vote, and a band added while the contest runs appears at once.
 *
 * <p>A seed never overwrites a count ({@code HSETNX}). A band that leaves the catalog is taken out
 * again only while it still has no vote (its total is "0" and the mirror's guard has no version for
 * it, so no tally record was ever written); a band with votes keeps them, as the streams app does.
 * The bands seeded so far are kept in {@link RedisKeys#CONTEST_BANDS}, so a restarted sink knows
 * what it seeded before. An open contest seeds nothing: its bands appear with their first vote.
 */
final class ContestSeeder implements Consumer<ContestState> {

  private static final Logger log = LoggerFactory.getLogger(ContestSeeder.class);

  /**
   * KEYS: band totals, their guard, the seeded set, the changes channel (as a key, for clarity).
   * ARGV: the bands to seed. Returns how many fields it added or removed.
   */
  private static final String SCRIPT =
      """
      local totals, guard, seeded, channel = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
      local wanted = {}
      for _, band in ipairs(ARGV) do wanted[band] = true end
      local changed = 0
      for _, band in ipairs(redis.call('SMEMBERS', seeded)) do
        if not wanted[band] then
          if redis.call('HGET', totals, band) == '0' and redis.call('HEXISTS', guard, band) == 0 then
            changed = changed + redis.call('HDEL', totals, band)
          end
          redis.call('SREM', seeded, band)
        end
      end
      for _, band in ipairs(ARGV) do
        changed = changed + redis.call('HSETNX', totals, band, '0')
        redis.call('SADD', seeded, band)
      end
      if changed > 0 then
        redis.call('PUBLISH', channel, '{"kind":"contest","bands":' .. #ARGV .. '}')
      end
      return changed
      """;

  private final UnifiedJedis redis;

  ContestSeeder(UnifiedJedis redis) {
    this.redis = Objects.requireNonNull(redis, "redis");
  }

  /** Runs on the contest follower's thread after each change; a failure waits for the next change. */
  @Override
  public void accept(ContestState contest) {
    List<String> bands = new ArrayList<>();
    for (Catalog.Band band : contest.index().bands()) {
      bands.add(band.name());
    }
    Object changed =
        redis.eval(
            SCRIPT,
            List.of(
                RedisKeys.BAND_TOTALS,
                RedisKeys.guardOf(RedisKeys.BAND_TOTALS),
                RedisKeys.CONTEST_BANDS,
                RedisKeys.CHANGES_CHANNEL),
            bands);
    log.info("contest seeded into Redis: {} bands listed, {} fields changed", bands.size(), changed);
  }
}
