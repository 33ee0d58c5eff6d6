package gt.quetzal.contract;

/**
 * The single source of Redis key names. The sinks write through it, the web app reads through it,
 * and the Grafana dashboard is checked against it. Every value is absolute (HSET), never an increment,
 * so a replay rewrites the same state.
 */
public final class RedisKeys {

  private static final String PREFIX = "quetzal:";

  /** Hash: band name to its absolute vote total. */
  public static final String BAND_TOTALS = PREFIX + "tally:bands";

  /** Hash: "Band — Album" ({@link AlbumKey#label()}) to its absolute vote total; readable pie labels. */
  public static final String ALBUM_TOTALS = PREFIX + "tally:albums";

  /**
   * Hash: "Band — Album" to a JSON object {@code {band, album, count, rankSum, rankMin, rankMax,
   * rankAverage}}, for pages that show each band's albums with their average rank.
   */
  public static final String ALBUM_STATS = PREFIX + "tally:album-stats";

  /**
   * Hash: contest counters. Fields are the {@link Stats} keys ({@code accepted}, {@code duplicates},
   * {@code rejected}, {@code rejected.<reason>}) plus {@link #STAT_UPDATED_AT}.
   */
  public static final String STATS = PREFIX + "stats";

  public static final String STAT_ACCEPTED = Stats.ACCEPTED;
  public static final String STAT_DUPLICATES = Stats.DUPLICATES;
  public static final String STAT_REJECTED = Stats.REJECTED;
  /** Epoch millis of the last sink write. */
  public static final String STAT_UPDATED_AT = "updatedAt";

  /** Pub/sub channel: a small message after every sink batch, so live pages refresh. */
  public static final String CHANGES_CHANNEL = PREFIX + "changes";

  private RedisKeys() {}
}
