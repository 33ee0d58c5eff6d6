package gt.quetzal.ingest.core;

import gt.quetzal.contract.VoteEvent;
import java.util.List;
import java.util.Objects;

/** What {@link VoteValidator} decided: a vote ready to publish, or every reason it is not. */
public sealed interface ValidationResult permits ValidationResult.Valid, ValidationResult.Invalid {

  /** The candidate passed every rule. */
  record Valid(VoteEvent vote) implements ValidationResult {
    public Valid {
      Objects.requireNonNull(vote, "vote");
    }
  }

  /** At least one rule failed; all failures are listed, in field order. Also the vote's {@link CastOutcome}. */
  record Invalid(List<FieldViolation> violations) implements ValidationResult, CastOutcome {
    public Invalid {
      violations = List.copyOf(violations);
      if (violations.isEmpty()) {
        throw new IllegalArgumentException("an invalid result needs at least one violation");
      }
    }
  }
}
