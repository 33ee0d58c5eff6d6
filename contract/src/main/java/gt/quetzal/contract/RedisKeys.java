package gt.quetzal.contract;

import java.util.Objects;

/**
 * The single source of Redis key names. The sinks write through it, the web app reads through it,
 * and the Grafana dashboard is checked against it. Every value is absolute (HSET), never an increment,
 * so a replay rewrites the same state. The full schema, with the Grafana query of each panel, is in
 * {@code docs/redis-keys.md}.
 *
 * <p>Every mirrored hash field carries a version (the Kafka offset of the tally record it came from)
 * in a companion hash under {@link #GUARD_PREFIX}; the sinks write a field only when its record is
 * newer, so a replay or a replica that lost its partitions can never put an older value back.
 */
public final class RedisKeys {

  private static final String PREFIX = "quetzal:";

  /** Hash: band name to its absolute vote total. Grafana bar gauge: {@code HGETALL quetzal:tally:bands}. */
  public static final String BAND_TOTALS = PREFIX + "tally:bands";

  /**
   * Hash: "Band — Album" ({@link AlbumKey#label()}) to its absolute vote total; readable pie labels.
   * Grafana pie chart: {@code HGETALL quetzal:tally:albums}.
   */
  public static final String ALBUM_TOTALS = PREFIX + "tally:albums";

  /**
   * Hash: "Band — Album" to a JSON object {@code {band, album, count, rankSum, rankMin, rankMax,
   * rankAverage}}, for pages that show each band's albums with their average rank.
   */
  public static final String ALBUM_STATS = PREFIX + "tally:album-stats";

  /**
   * Hash: contest counters. Fields are the {@link Stats} keys ({@code accepted}, {@code duplicates},
   * {@code rejected}, {@code rejected.<reason>}) plus {@link #STAT_UPDATED_AT}. Grafana stat panels:
   * {@code HGET quetzal:stats accepted} (and {@code rejected}, {@code duplicates}; the sinks create
   * those three at 0).
   */
  public static final String STATS = PREFIX + "stats";

  public static final String STAT_ACCEPTED = Stats.ACCEPTED;
  public static final String STAT_DUPLICATES = Stats.DUPLICATES;
  public static final String STAT_REJECTED = Stats.REJECTED;
  /** Epoch millis of the last sink batch that changed the mirror; only ever moves forward. */
  public static final String STAT_UPDATED_AT = "updatedAt";

  /**
   * Prefix of the per-band timeline hashes, see {@link #bandMinutes(String)}: the key is this prefix
   * followed by the band name, e.g. {@code quetzal:timeline:band:Alux Nahual}.
   */
  public static final String BAND_MINUTES_PREFIX = PREFIX + "timeline:band:";

  /**
   * Stream: the per-minute timeline of every band, drawn by Grafana's redis-datasource without any Redis
   * module. One entry per minute with the explicit ID {@code <minuteStart>-0} (the datasource turns the
   * ID into the {@code $time} column) and one field per band, {@code band = votes in that minute}; a band
   * with no votes in a minute has no field (the datasource shows 0). Entries always equal the
   * {@link #bandMinutes(String)} hashes for the retained minutes (the sinks rewrite an entry whenever a
   * band's count for that minute changes) and the stream is capped to a configured number of minutes.
   * Grafana time series: command {@code XRANGE}, key {@code quetzal:timeline:bands}, start {@code -}, end
   * {@code +} (the plugin's streaming mode re-sends the time range the panel opened with, so an empty
   * start/end — the dashboard's range — only suits a panel that refreshes instead of streaming).
   */
  public static final String TIMELINE_STREAM = PREFIX + "timeline:bands";

  /**
   * Prefix of the version hashes that guard the mirror: {@link #guardOf(String)} is this prefix followed
   * by the guarded key without {@code quetzal:}, e.g. {@code quetzal:guard:tally:bands}. Same fields as
   * the guarded hash; values are the Kafka offset of the record each field was last written from.
   * Internal to the sinks: nothing else reads them.
   */
  public static final String GUARD_PREFIX = PREFIX + "guard:";

  /**
   * The one version hash guarding every band's timeline hash ({@link #bandMinutes(String)}), so a
   * write touches one guard hash however many bands it carries: field {@link
   * #timelineGuardPrefix(String)} followed by the minute field, e.g. {@code Alux Nahual|1767225600000}.
   * Before 2026-12-07 each band had its own guard, {@code quetzal:guard:timeline:band:<band>} with the
   * minute fields; the sinks merge such hashes into this one when they start.
   */
  public static final String TIMELINE_GUARD = guardOf(TIMELINE_STREAM);

  /** The guard hash each band's timeline had before {@link #TIMELINE_GUARD}; the key ends with the band. */
  public static final String LEGACY_TIMELINE_GUARD_PREFIX = guardOf(BAND_MINUTES_PREFIX);

  /** Pub/sub channel: a small message after every sink batch that changed something, so live pages refresh. */
  public static final String CHANGES_CHANNEL = PREFIX + "changes";

  /**
   * Set of the catalog's bands that the sinks seeded into {@link #BAND_TOTALS} at 0, so a band that
   * leaves the catalog without a vote can be taken out again.
   */
  public static final String CONTEST_BANDS = PREFIX + "contest:bands";

  /** The sinks' own bookkeeping keys start with this; nothing else reads them. */
  public static final String SINK_PREFIX = PREFIX + "sink:";

  /**
   * Hash of the Redis sink's progress: field {@code <topic>:<partition>} of a tally topic, value = the
   * offset before which Redis holds every record of it. Written in the same script call as the
   * tallies, so it survives or is lost with them: a Redis that comes back with less than the sink
   * wrote is noticed, and the lost records are read again.
   */
  public static final String SINK_POSITIONS = SINK_PREFIX + "positions";

  /** Hash of the tally topics this Redis mirrors: topic → Kafka topic id (the sinks refuse a recreated topic). */
  public static final String SINK_TOPICS = SINK_PREFIX + "topics";

  /**
   * Hash of one band's timeline: field = window start (epoch millis, a multiple of 60 000, in decimal),
   * value = that band's absolute vote count in that minute. The web app reads it with {@code HGETALL}.
   */
  public static String bandMinutes(String band) {
    return BAND_MINUTES_PREFIX + Objects.requireNonNull(band, "band");
  }

  /**
   * What precedes a minute field of {@code band}'s timeline in {@link #TIMELINE_GUARD}. Minute fields
   * are digits only, so the text after the last {@code |} is the minute and the rest the band: no two
   * (band, minute) pairs share a guard field, whatever the band's name holds.
   */
  public static String timelineGuardPrefix(String band) {
    return Objects.requireNonNull(band, "band") + "|";
  }

  /** The version hash guarding {@code key} (one of the mirrored hashes above). */
  public static String guardOf(String key) {
    if (!key.startsWith(PREFIX) || key.startsWith(GUARD_PREFIX)) {
      throw new IllegalArgumentException("not a mirrored Quetzal key: " + key);
    }
    return GUARD_PREFIX + key.substring(PREFIX.length());
  }

  private RedisKeys() {}
}
