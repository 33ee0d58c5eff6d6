package gt.quetzal.sinks;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.ContestState;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.kit.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 *
 * <p>Redis may be down when the contest changes: the seeding is then retried on a thread of its own
 * every {@code retryDelay} with the latest contest, until Redis answers (it is idempotent).
 */
final class ContestSeeder implements Consumer<ContestState>, AutoCloseable {

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
  private final Duration retryDelay;
  private final AtomicReference<List<String>> wanted = new AtomicReference<>();
  private final AtomicLong writes = new AtomicLong();
  private final ScheduledExecutorService worker =
      DaemonThreads.scheduler("contest-seeder");

  ContestSeeder(UnifiedJedis redis, Duration retryDelay) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
  }

  /** Called by the contest follower after each change; the write happens on the seeder's thread. */
  @Override
  public void accept(ContestState contest) {
    List<String> bands = new ArrayList<>();
    for (Catalog.Band band : contest.index().bands()) {
      bands.add(band.name());
    }
    wanted.set(List.copyOf(bands));
    worker.execute(this::seed);
  }

  /** Writes the latest contest; on failure tries again later (a newer contest replaces it). */
  private void seed() {
    List<String> bands = wanted.get();
    try {
      Object changed =
          redis.eval(
              SCRIPT,
              List.of(
                  RedisKeys.BAND_TOTALS,
                  RedisKeys.guardOf(RedisKeys.BAND_TOTALS),
                  RedisKeys.CONTEST_BANDS,
                  RedisKeys.CHANGES_CHANNEL),
              bands);
      writes.incrementAndGet();
      log.info("contest seeded into Redis: {} bands listed, {} fields changed", bands.size(), changed);
    } catch (RuntimeException e) {
      log.warn("could not seed the contest into Redis; retrying in {}: {}", retryDelay, e.toString());
      worker.schedule(this::seed, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** How many times the contest was written to Redis (tests wait on it). */
  long writes() {
    return writes.get();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
