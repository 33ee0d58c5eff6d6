package gt.quetzal.contract;

/**
 * The single source of Redis key names. The sinks write through it, the web app reads through it,
 * and the Grafana dashboard is checked against it.
 */
public final class RedisKeys {

  private static final String PREFIX = "quetzal:";

  /** Hash: band name to its absolute vote total. */
  public static final String BAND_TOTALS = PREFIX + "tally:bands";

  /** Hash: counters such as {@link #STAT_ACCEPTED} and {@link #STAT_UPDATED_AT}. */
  public static final String STATS = PREFIX + "stats";

  public static final String STAT_ACCEPTED = "accepted";
  public static final String STAT_UPDATED_AT = "updatedAt";

  /** Pub/sub channel: a small message after every sink batch, so live pages refresh. */
  public static final String CHANGES_CHANNEL = PREFIX + "changes";

  private RedisKeys() {}
}
