package gt.quetzal.load.reconcile;

/**
 * One vote as a Locust process sent it: a line of its {@code outcomes-*.csv}.
 *
 * @param row       index of the vote in the traffic file
 * @param status    the final HTTP status, or the gRPC status code number (0 OK, 3 INVALID_ARGUMENT, ...)
 * @param attempts  1 plus the retries it took (retries reuse the voteId)
 * @param startMs   epoch millis of the first attempt
 * @param latencyMs of the final attempt
 */
public record Send(
    String voteId, String route, int row, Outcome outcome, int status, int attempts, long startMs, double latencyMs) {

  /** How a vote ended, from the sender's side. */
  public enum Outcome {
    /** 202 or OK: ingest says Kafka has it. */
    ACCEPTED,
    /** 4xx or INVALID_ARGUMENT: refused at the door, never stored. */
    REJECTED,
    /** 5xx, UNAVAILABLE, a timeout or a lost connection after every retry: it may or may not be stored. */
    FAILED,
    /** Still in flight when Locust stopped: it may or may not be stored. */
    UNFINISHED;

    /** Whether the pipeline may have the vote even though the sender never heard "accepted". */
    public boolean uncertain() {
      return this == FAILED || this == UNFINISHED;
    }
  }

  /** The run prefix of the voteId: everything before the first dot. */
  public String runId() {
    int dot = voteId.indexOf('.');
    return dot < 0 ? voteId : voteId.substring(0, dot);
  }
}
