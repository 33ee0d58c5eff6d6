package gt.quetzal.ingest.core;

import java.util.Objects;

/**
 * What became of one vote handed to {@link VoteCaster}; each transport writes it in its own wire
 * format (HTTP status and problem+json, gRPC status or a CastStream result). A vote that broke a
 * rule is the validator's own {@link ValidationResult.Invalid}, every violation listed.
 */
public sealed interface CastOutcome
    permits CastOutcome.Accepted, ValidationResult.Invalid, CastOutcome.Unavailable, CastOutcome.Abandoned {

  /** Kafka acknowledged the vote (acks=all): it is durable under {@code voteId}. */
  record Accepted(String voteId) implements CastOutcome {
    public Accepted {
      Objects.requireNonNull(voteId, "voteId");
    }
  }

  /**
   * Kafka refused the vote or did not answer in time. It may still have been stored, so the client
   * retries under {@code voteId}, which is counted once.
   */
  record Unavailable(String voteId, PublishFailure failure) implements CastOutcome {
    public Unavailable {
      Objects.requireNonNull(voteId, "voteId");
      Objects.requireNonNull(failure, "failure");
    }
  }

  /** Valid, but nobody waited for the answer any more (a cancelled gRPC call), so it was not published. */
  record Abandoned(String voteId) implements CastOutcome {
    public Abandoned {
      Objects.requireNonNull(voteId, "voteId");
    }
  }
}
