package gt.quetzal.streams.topology;

import gt.quetzal.contract.Timeline;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@link VotesTopology#build} needs besides the topic and store names, so the topology
 * can be built from a test without any environment.
 *
 * @param dedupRetention    how long a voteId is remembered; a copy arriving later counts again
 * @param windowGrace       how long after its minute ends a vote is still counted; later ones are
 *                          rejected as {@code late}
 * @param timelineRetention how far back the per-minute timeline stays queryable
 * @param flushInterval     how often the per-task combiners send their deltas downstream
 * @param voterPolicy       how many votes one voter may have counted
 */
public record TopologyOptions(
    Duration dedupRetention,
    Duration windowGrace,
    Duration timelineRetention,
    Duration flushInterval,
    VoterPolicy voterPolicy) {

  /** The tumbling window size of the per-minute timeline: the minute Redis encodes ({@link Timeline}). */
  public static final Duration WINDOW = Duration.ofMillis(Timeline.MINUTE_MS);

  public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofHours(1);
  public static final Duration DEFAULT_WINDOW_GRACE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TIMELINE_RETENTION = Duration.ofDays(7);
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(50);

  public TopologyOptions {
    positive(dedupRetention, "dedupRetention");
    Objects.requireNonNull(windowGrace, "windowGrace");
    if (windowGrace.isNegative()) {
      throw new IllegalArgumentException("windowGrace must not be negative, was " + windowGrace);
    }
    positive(timelineRetention, "timelineRetention");
    positive(flushInterval, "flushInterval");
    Objects.requireNonNull(voterPolicy, "voterPolicy");
    Duration minimum = WINDOW.plus(windowGrace);
    if (timelineRetention.compareTo(minimum) < 0) {
      throw new IllegalArgumentException(
          "timelineRetention must cover at least one window plus the grace (" + minimum + "), was "
              + timelineRetention);
    }
  }

  private static void positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  /** Start of the window holding {@code timestamp}. */
  public static long windowStart(long timestamp) {
    return Timeline.minuteStart(timestamp);
  }

  public static TopologyOptions defaults() {
    return new TopologyOptions(
        DEFAULT_DEDUP_RETENTION,
        DEFAULT_WINDOW_GRACE,
        DEFAULT_TIMELINE_RETENTION,
        DEFAULT_FLUSH_INTERVAL,
        VoterPolicy.OFF);
  }

  public TopologyOptions withDedupRetention(Duration value) {
    return new TopologyOptions(
        value, windowGrace, timelineRetention, flushInterval, voterPolicy);
  }

  public TopologyOptions withWindowGrace(Duration value) {
    return new TopologyOptions(
        dedupRetention, value, timelineRetention, flushInterval, voterPolicy);
  }

  public TopologyOptions withVoterPolicy(VoterPolicy value) {
    return new TopologyOptions(
        dedupRetention, windowGrace, timelineRetention, flushInterval, value);
  }
}
