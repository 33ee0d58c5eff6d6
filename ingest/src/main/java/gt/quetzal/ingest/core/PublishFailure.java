package gt.quetzal.ingest.core;

import java.util.concurrent.TimeoutException;

/**
 * Why a vote was not taken, in two versions: the words a client gets (no exception class, topic,
 * partition or ISR: those describe the deployment, not the vote) and the one the log gets. Both
 * routes word a publish failure through here.
 *
 * @param forClient a sentence fragment for the 503 / UNAVAILABLE answer
 * @param forLog    the cause as the operator needs it
 */
public record PublishFailure(String forClient, String forLog) {

  /**
   * @param error            what the publish future completed with
   * @param publishTimeoutMs how long the route waited for Kafka's acknowledgement
   */
  public static PublishFailure of(Throwable error, long publishTimeoutMs) {
    Throwable cause = KafkaVotePublisher.unwrap(error);
    String detail = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    if (cause instanceof ContestGate.NotReadException) {
      return new PublishFailure("Ingest is starting and has not read the contest yet", detail);
    }
    if (cause instanceof TimeoutException) { // the route's own wait, not a Kafka client timeout
      return new PublishFailure(
          "Kafka did not acknowledge the vote within " + publishTimeoutMs + " ms", "no acknowledgement within " + publishTimeoutMs + " ms");
    }
    return new PublishFailure("Kafka could not take the vote right now", detail);
  }
}
