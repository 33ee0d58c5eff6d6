package gt.quetzal.ingest.core;

import gt.quetzal.contract.VoteEvent;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cast step both front doors share: it validates each vote ({@link VoteValidator}, the contest
 * included), publishes the valid ones ({@link VotePublisher}) and answers one {@link CastOutcome}
 * per vote. A transport reads its wire format into {@link VoteCandidate}s before and writes the
 * outcomes in it after; it charges the rate limit itself before calling here, because what is
 * charged (a body, a message) is the transport's.
 *
 * <p>It owns what follows from outcomes: the vote counters ({@link VoteCounters}) and the failure
 * latch. The first vote Kafka refuses after a good spell sets the latch and logs a warning, later
 * ones only at debug; an acknowledgement clears it (logging that Kafka is back) only when no vote of
 * its batch was refused, so a batch with both does not flip the log back and forth.
 *
 * <p>Futures complete on Kafka's I/O thread or the timeout's, or on the caller's thread when nothing
 * went to Kafka. Transports write their answers on their own executor.
 */
public final class VoteCaster {

  private static final Logger log = LoggerFactory.getLogger(VoteCaster.class);

  /** How long a batch waits for Kafka. */
  public enum Wait {
    /** At most the publish timeout for the whole batch; votes Kafka has not answered by then are unavailable. */
    PUBLISH_TIMEOUT,
    /**
     * As long as the publisher's own bound ({@code max.block.ms} in send, then {@code
     * delivery.timeout.ms}), which guarantees every future completes: no timer per batch.
     */
    PUBLISHER_BOUND
  }

  private final VoteValidator validator;
  private final VotePublisher publisher;
  private final VoteCounters counters;
  private final long publishTimeoutMs;
  private final AtomicBoolean kafkaRefusing = new AtomicBoolean();

  /** @param publishTimeoutMs how long a vote waits for Kafka's acknowledgement (PUBLISH_TIMEOUT_MS) */
  public VoteCaster(VoteValidator validator, VotePublisher publisher, VoteCounters counters, long publishTimeoutMs) {
    if (publishTimeoutMs < 1) {
      throw new IllegalArgumentException("publishTimeoutMs must be positive");
    }
    this.validator = Objects.requireNonNull(validator, "validator");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.counters = Objects.requireNonNull(counters, "counters");
    this.publishTimeoutMs = publishTimeoutMs;
  }

  /** One vote, waiting at most the publish timeout for Kafka. */
  public CompletableFuture<CastOutcome> cast(VoteCandidate candidate) {
    return cast(candidate, () -> true);
  }

  /**
   * One vote, waiting at most the publish timeout for Kafka.
   *
   * @param stillWanted asked once the vote is valid, just before publishing: false (the client left)
   *                    makes it {@link CastOutcome.Abandoned}, unpublished
   */
  public CompletableFuture<CastOutcome> cast(VoteCandidate candidate, BooleanSupplier stillWanted) {
    ValidationResult result = validator.validate(candidate, counters.channel());
    if (result instanceof ValidationResult.Invalid invalid) {
      return CompletableFuture.completedFuture(invalid(invalid));
    }
    VoteEvent vote = ((ValidationResult.Valid) result).vote();
    if (!stillWanted.getAsBoolean()) {
      counters.rejected("cancelled");
      return CompletableFuture.completedFuture(new CastOutcome.Abandoned(vote.voteId()));
    }
    return publish(vote)
        .orTimeout(publishTimeoutMs, TimeUnit.MILLISECONDS)
        .handle(
            (metadata, error) -> {
              counters.published();
              if (error != null) {
                return unavailable(vote.voteId(), error);
              }
              counters.accepted(1);
              kafkaAcknowledges();
              return new CastOutcome.Accepted(vote.voteId());
            });
  }

  /**
   * Every item of a batch; the future completes once Kafka answered for each published vote (or the
   * wait ran out), with one outcome per item in the items' order. Without a valid vote it is
   * complete on return.
   */
  public CompletableFuture<List<CastOutcome>> castAll(List<? extends CastItem> items, Wait wait) {
    Batch batch = new Batch(items.size());
    for (int i = 0; i < items.size(); i++) {
      batch.cast(i, items.get(i));
    }
    return batch.settle(wait);
  }

  private CompletableFuture<RecordMetadata> publish(VoteEvent vote) {
    counters.publishing();
    return publisher.publish(vote);
  }

  private ValidationResult.Invalid invalid(ValidationResult.Invalid invalid) {
    counters.violations(invalid.violations());
    counters.rejected("invalid");
    return invalid;
  }

  /** Counts a vote Kafka did not take and sets the latch, warning when it was clear. */
  private CastOutcome.Unavailable unavailable(String voteId, Throwable error) {
    PublishFailure failure = PublishFailure.of(error, publishTimeoutMs);
    if (kafkaRefusing.compareAndSet(false, true)) {
      log.warn("refusing votes (503 / UNAVAILABLE) until Kafka acknowledges again: {}", failure.forLog());
    } else {
      log.debug("vote {} refused: {}", voteId, failure.forLog());
    }
    counters.rejected("unavailable");
    return new CastOutcome.Unavailable(voteId, failure);
  }

  /** Whether the latch is set: Kafka's last word on a vote was a refusal. */
  boolean kafkaRefusing() {
    return kafkaRefusing.get();
  }

  private void kafkaAcknowledges() {
    if (kafkaRefusing.get() && kafkaRefusing.compareAndSet(true, false)) {
      log.info("Kafka acknowledges votes again");
    }
  }

  /**
   * One castAll call. An item's outcome is set at once when it was not published; a published
   * vote's is read from its Kafka future once all of them settled (or the wait ran out), so each
   * vote is counted exactly once whatever comes late.
   */
  private final class Batch {
    private final CastOutcome[] outcomes;
    private final InFlight[] inFlight; // set where the item went to Kafka
    private final AtomicInteger pending = new AtomicInteger(1); // one per vote with Kafka, plus one held while casting
    private final CompletableFuture<Void> settled = new CompletableFuture<>();

    Batch(int size) {
      outcomes = new CastOutcome[size];
      inFlight = new InFlight[size];
    }

    void cast(int index, CastItem item) {
      if (item instanceof CastItem.NotAVote notAVote) {
        counters.rejected("invalid"); // not a vote, so no field of one is at fault
        outcomes[index] = new ValidationResult.Invalid(List.of(notAVote.why()));
        return;
      }
      ValidationResult result = validator.validate((VoteCandidate) item, counters.channel());
      if (result instanceof ValidationResult.Invalid invalid) {
        outcomes[index] = invalid(invalid);
        return;
      }
      VoteEvent vote = ((ValidationResult.Valid) result).vote();
      pending.incrementAndGet();
      CompletableFuture<RecordMetadata> ack = publish(vote);
      inFlight[index] = new InFlight(vote.voteId(), ack);
      ack.whenComplete(
          (metadata, error) -> {
            counters.published();
            release();
          });
    }

    CompletableFuture<List<CastOutcome>> settle(Wait wait) {
      release(); // every vote was handed over
      CompletableFuture<Void> waited =
          wait == Wait.PUBLISH_TIMEOUT && !settled.isDone()
              ? settled.orTimeout(publishTimeoutMs, TimeUnit.MILLISECONDS)
              : settled;
      return waited.handle((ignored, timeout) -> outcomes());
    }

    private void release() {
      if (pending.decrementAndGet() == 0) {
        settled.complete(null);
      }
    }

    private List<CastOutcome> outcomes() {
      int accepted = 0;
      int failed = 0;
      for (int i = 0; i < outcomes.length; i++) {
        InFlight vote = inFlight[i];
        if (vote == null) {
          continue;
        }
        Throwable error = vote.error();
        if (error == null) {
          outcomes[i] = new CastOutcome.Accepted(vote.voteId());
          accepted++;
        } else {
          outcomes[i] = unavailable(vote.voteId(), error);
          failed++;
        }
      }
      if (accepted > 0) {
        counters.accepted(accepted);
        if (failed == 0) {
          kafkaAcknowledges();
        }
      }
      return List.of(outcomes);
    }
  }

  private record InFlight(String voteId, CompletableFuture<RecordMetadata> ack) {
    /** Null when Kafka acknowledged; a timeout when it has not answered yet. */
    Throwable error() {
      if (!ack.isDone()) {
        return new TimeoutException();
      }
      return ack.isCompletedExceptionally() ? ack.handle((metadata, error) -> error).join() : null;
    }
  }
}
