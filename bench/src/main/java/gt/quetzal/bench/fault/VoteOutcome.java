package gt.quetzal.bench.fault;

/**
 * The sender's last word on one voteId, over all its attempts (every attempt reuses the voteId).
 *
 * @param uncertainAttempts attempts whose answer left the vote's fate unknown: 503 / UNAVAILABLE, a
 *     timeout, a refused or reset connection. Each of them may have reached Kafka.
 * @param resent whether the vote was deliberately sent once more after its 202 / OK (same voteId)
 * @param waitedMillis from the vote's first attempt to its acknowledgment (or to its last word, unacknowledged)
 */
public record VoteOutcome(
    String voteId, String route, String band, Result result, int attempts, int uncertainAttempts, boolean resent,
    long waitedMillis) {

  /** How the vote ended from the client's side. */
  public enum Result {
    /** 202 / OK: ingest says Kafka has it; it must be counted exactly once. */
    ACKNOWLEDGED,
    /** Every attempt within the retry window was answered 503 / UNAVAILABLE or not at all: may be missing. */
    UNAVAILABLE,
    /** 4xx / INVALID_ARGUMENT: refused at the door, must never be stored. */
    REFUSED,
    /** Still waiting for an answer when the run gave up on it: may be missing. */
    PENDING
  }

  /** Whether the pipeline may hold this vote although the client never heard "accepted". */
  public boolean uncertain() {
    return result == Result.UNAVAILABLE || result == Result.PENDING || (result == Result.REFUSED && uncertainAttempts > 0);
  }
}
