package gt.quetzal.sinks;

import gt.quetzal.contract.RedisKeys;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Merges the per-band timeline guards of earlier versions ({@link RedisKeys#LEGACY_TIMELINE_GUARD_PREFIX}
 * followed by the band) into {@link RedisKeys#TIMELINE_GUARD}, so a replay after an upgrade is still
 * refused minute by minute. Each hash moves in one script (the higher version wins, then the old hash is
 * deleted), so replicas starting together, or a start that stops half-way, merge nothing twice and lose
 * nothing. Once merged, a start costs one SCAN that finds nothing.
 */
final class LegacyTimelineGuards {

  /** KEYS: the legacy guard, the merged guard. ARGV: the band's guard prefix. Returns the fields moved. */
  private static final String SCRIPT =
      """
      local old, merged, prefix = KEYS[1], KEYS[2], ARGV[1]
      local all = redis.call('HGETALL', old)
      local moved = 0
      for i = 1, #all, 2 do
        local field, theirs = prefix .. all[i], tonumber(all[i + 1])
        local mine = tonumber(redis.call('HGET', merged, field))
        if theirs ~= nil and (mine == nil or theirs > mine) then
          redis.call('HSET', merged, field, all[i + 1])
          moved = moved + 1
        end
      end
      redis.call('DEL', old)
      return moved
      """;

  private LegacyTimelineGuards() {}

  /** Merges every legacy timeline guard; returns how many guard fields it moved. */
  static long merge(UnifiedJedis redis) {
    // The prefix holds no glob characters (quetzal:guard:timeline:band:), so it matches itself.
    ScanParams params = new ScanParams().match(RedisKeys.LEGACY_TIMELINE_GUARD_PREFIX + "*").count(1000);
    long moved = 0;
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, params);
      for (String key : page.getResult()) {
        String band = key.substring(RedisKeys.LEGACY_TIMELINE_GUARD_PREFIX.length());
        Object reply =
            redis.eval(SCRIPT, List.of(key, RedisKeys.TIMELINE_GUARD), List.of(RedisKeys.timelineGuardPrefix(band)));
        moved += (Long) reply;
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return moved;
  }
}
