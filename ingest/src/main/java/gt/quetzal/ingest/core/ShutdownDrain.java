package gt.quetzal.ingest.core;

import gt.quetzal.kit.EnvReader;

/**
 * SHUTDOWN_TIMEOUT_MS for both ingest services: how long a stop waits for requests in flight. A
 * request may wait on Kafka for as long as the publish timeout before it is answered (202 or
 * 503/UNAVAILABLE); a shorter drain would cut it off with no answer at all during a rollout with a
 * slow broker. So the drain defaults to that wait plus {@link #ANSWER_MARGIN_MS} to write the
 * answer, and a value below the wait is refused at start, naming both variables.
 */
public final class ShutdownDrain {

  /** Time to write the answer once Kafka's verdict (or the timeout) is in. */
  public static final long ANSWER_MARGIN_MS = 1_000;

  private ShutdownDrain() {}

  /**
   * @param longestWaitMs how long a request may wait for Kafka
   * @param what          that wait in words, naming its variables, for the error
   */
  public static long read(EnvReader env, long longestWaitMs, String what) {
    long fallback = Math.min(600_000, longestWaitMs + ANSWER_MARGIN_MS);
    long drain = env.longValue("SHUTDOWN_TIMEOUT_MS", fallback, 0, 600_000);
    if (drain < longestWaitMs) {
      env.problem(
          "SHUTDOWN_TIMEOUT_MS=" + drain + " is shorter than " + what + ": a request still waiting for Kafka"
              + " at shutdown would be dropped unanswered; raise it to at least " + longestWaitMs
              + " or lower the wait");
    }
    return drain;
  }
}
