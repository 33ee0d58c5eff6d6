package gt.quetzal.streams.topology;

import gt.quetzal.contract.VoteEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * The late rule: a {@link Verdict.Valid} vote whose 1-minute window has closed becomes a rejection
 * with the reason {@value #LATE}.
 *
 * <p><b>The rule.</b> A vote stamped {@code t} belongs to the window {@code [w, w + 1 min)} with
 * {@code w = t - t mod 1 min}. It is late when {@code w + 1 min + grace <= streamTime}, where stream
 * time is the highest record timestamp this task has seen (this record included). That is exactly
 * the condition under which a Kafka Streams windowed aggregation with the same grace would drop the
 * record, except that the drop would be silent; here it becomes an auditable rejection, and the vote
 * counts nowhere (not in the totals, not in {@code votes.accepted}), so every tally agrees.
 *
 * <p><b>Why on the {@code votes.raw} task.</b> That task reads exactly one {@code votes.raw}
 * partition, so its stream time is a pure function of that partition's records: a replay from offset
 * 0 makes the same late decisions, and one slow or restarted instance cannot make another
 * partition's votes late. Checking downstream, after votes from all partitions are mixed, would tie
 * lateness to processing lag instead of to the votes. Ingest appends in {@code receivedAt} order per
 * partition, so in practice a vote is late only when it reached the log long after it was received
 * (e.g. a producer that kept retrying through a broker outage) or a foreign producer wrote an old
 * timestamp.
 *
 * <p><b>Event time</b> is the record timestamp. Ingest sets it to the vote's {@code receivedAt}, so
 * the two are the same instant; the record timestamp is used because the broker bounds it (it refuses
 * records stamped more than an hour ahead), so a payload with a garbage clock cannot push stream time
 * forward and turn every honest vote late, and because it is carried through repartition topics
 * without parsing anything again.
 *
 * <p>Dedup runs before this check ({@link CheckVoteProcessor}): a copy of a vote already decided is a
 * duplicate, whatever its timestamp, and the copy of a late vote is a duplicate too rather than a
 * second late rejection.
 */
final class Lateness {

  static final String LATE = "late";

  private final long graceMs;

  Lateness(Duration grace) {
    this.graceMs = grace.toMillis();
  }

  /** Whether a record stamped {@code timestamp} is too late once stream time reached {@code streamTime}. */
  static boolean isLate(long timestamp, long streamTime, long graceMs) {
    long windowEnd = TopologyOptions.windowStart(timestamp) + TopologyOptions.WINDOW.toMillis();
    return windowEnd + graceMs <= streamTime;
  }

  /** The vote, or its late rejection. */
  Verdict check(Verdict.Valid valid, long timestamp, long streamTime, long now) {
    return isLate(timestamp, streamTime, graceMs) ? rejection(valid.vote(), timestamp, streamTime, now) : valid;
  }

  private Verdict.Rejected rejection(VoteEvent vote, long timestamp, long streamTime, long now) {
    long start = TopologyOptions.windowStart(timestamp);
    long closedAt = start + TopologyOptions.WINDOW.toMillis() + graceMs;
    String detail =
        "receivedAt: its minute ["
            + Instant.ofEpochMilli(start)
            + ", "
            + Instant.ofEpochMilli(start + TopologyOptions.WINDOW.toMillis())
            + ") closed at "
            + Instant.ofEpochMilli(closedAt)
            + " (grace "
            + Duration.ofMillis(graceMs)
            + "), and votes up to "
            + Instant.ofEpochMilli(streamTime)
            + " were already counted";
    return Verdict.Rejected.of(vote, LATE, detail, now);
  }
}
