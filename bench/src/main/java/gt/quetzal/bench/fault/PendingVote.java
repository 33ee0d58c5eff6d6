package gt.quetzal.bench.fault;

import gt.quetzal.proto.v1.Vote;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One vote of a fault run and its attempts so far, whatever route carries it. The route reports each
 * attempt's answer here; a retry goes back to the same route (under the same voteId) through {@link
 * Requeue}, and {@code done} completes with the vote's final {@link VoteOutcome}.
 */
final class PendingVote {

  /** Where a vote goes for its next attempt, after {@code delayMillis}. */
  interface Requeue {
    void later(PendingVote vote, long delayMillis);
  }

  final Vote vote;
  final Route.Kind route;
  final CompletableFuture<VoteOutcome> done = new CompletableFuture<>();
  private final long firstNanos;
  private final boolean retries;
  private final boolean resend;
  private final SteadySender.Settings settings;
  private final Requeue requeue;
  private int count;
  private int uncertain;
  private boolean acked;
  private long ackNanos;
  private boolean resent;

  /**
   * @param retries whether this client retries after an unknown answer (else it gives up at once)
   * @param resend whether it sends the vote once more after its acknowledgment, as a client that lost the answer
   */
  PendingVote(Vote vote, Route.Kind route, boolean retries, boolean resend, SteadySender.Settings settings,
      Requeue requeue) {
    this.vote = vote;
    this.route = route;
    this.firstNanos = System.nanoTime();
    this.retries = retries;
    this.resend = resend;
    this.settings = settings;
    this.requeue = requeue;
  }

  /** An attempt leaves now. */
  synchronized void attempting() {
    count++;
  }

  /** 202 / OK / ACCEPTED; a vote picked for a resend goes once more, under the same voteId, before it is done. */
  void acknowledged() {
    synchronized (this) {
      if (!acked) {
        acked = true;
        ackNanos = System.nanoTime();
      }
      if (resend && !resent) {
        resent = true;
        requeue.later(this, 0);
        return;
      }
    }
    finish(VoteOutcome.Result.ACKNOWLEDGED);
  }

  /** 4xx / INVALID: refused at the door. */
  void refused() {
    finish(VoteOutcome.Result.REFUSED);
  }

  /** 503 / UNAVAILABLE / a timeout / a broken connection: the vote may have reached Kafka. */
  void unknown(OptionalLong hintMillis) {
    retryLater(true, hintMillis);
  }

  /** 429 / RESOURCE_EXHAUSTED: not taken, try again. */
  void busy(OptionalLong hintMillis) {
    retryLater(false, hintMillis);
  }

  private void retryLater(boolean mayHaveLanded, OptionalLong hintMillis) {
    long delay;
    synchronized (this) {
      if (mayHaveLanded) {
        uncertain++;
      }
      // A deliberate resend that meets trouble is retried too, so that its copy does reach the log.
      delay = hintMillis.orElse(settings.retryDelay().toMillis());
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstNanos);
      if (!retries || elapsed + delay > settings.retryWindow().toMillis()) {
        delay = -1;
      }
    }
    if (delay < 0) {
      finish(VoteOutcome.Result.UNAVAILABLE);
    } else {
      requeue.later(this, delay);
    }
  }

  /** Once acknowledged, always acknowledged: whatever a deliberate resend gets back changes nothing. */
  private synchronized void finish(VoteOutcome.Result result) {
    done.complete(outcome(acked ? VoteOutcome.Result.ACKNOWLEDGED : result, 0));
  }

  /** The outcome, or PENDING while an attempt is still out. */
  synchronized VoteOutcome now() {
    return done.getNow(outcome(acked ? VoteOutcome.Result.ACKNOWLEDGED : VoteOutcome.Result.PENDING, 1));
  }

  private VoteOutcome outcome(VoteOutcome.Result result, int stillOut) {
    long end = acked ? ackNanos : System.nanoTime();
    return new VoteOutcome(vote.getVoteId(), route.label(), vote.getName(), result, count, uncertain + stillOut,
        resent, TimeUnit.NANOSECONDS.toMillis(end - firstNanos));
  }
}
