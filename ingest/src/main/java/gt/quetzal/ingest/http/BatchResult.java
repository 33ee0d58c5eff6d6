package gt.quetzal.ingest.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import gt.quetzal.ingest.core.CastOutcome;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.ValidationResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-item answer to {@code POST /votes/batch}. Every index of the request appears in exactly
 * one list; indexes are 0-based positions in the array that was sent.
 *
 * @param accepted    votes Kafka acknowledged, with the id each was published under
 * @param rejected    votes that broke a rule, with every violation; do not resend them unchanged
 * @param unavailable votes Kafka did not take in time; resend them (with the given voteId) after
 *                    the response's {@code Retry-After}
 */
@JsonPropertyOrder({"accepted", "rejected", "unavailable"})
public record BatchResult(List<Accepted> accepted, List<Rejected> rejected, List<Unavailable> unavailable) {

  public BatchResult {
    accepted = List.copyOf(accepted);
    rejected = List.copyOf(rejected);
    unavailable = List.copyOf(unavailable);
  }

  public record Accepted(int index, String voteId) {}

  public record Rejected(int index, List<FieldViolation> errors) {
    public Rejected {
      errors = List.copyOf(errors);
    }
  }

  public record Unavailable(int index, String voteId) {}

  /** The cast step's outcomes, one per item of the request, sorted into the three lists. */
  static BatchResult of(List<CastOutcome> outcomes) {
    List<Accepted> accepted = new ArrayList<>(outcomes.size());
    List<Rejected> rejected = new ArrayList<>();
    List<Unavailable> unavailable = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      CastOutcome outcome = outcomes.get(i);
      if (outcome instanceof CastOutcome.Accepted a) {
        accepted.add(new Accepted(i, a.voteId()));
      } else if (outcome instanceof ValidationResult.Invalid invalid) {
        rejected.add(new Rejected(i, invalid.violations()));
      } else if (outcome instanceof CastOutcome.Unavailable u) {
        unavailable.add(new Unavailable(i, u.voteId()));
      } else {
        throw new IllegalStateException("a batch vote cannot be " + outcome);
      }
    }
    return new BatchResult(accepted, rejected, unavailable);
  }

  /** A problem document with the three lists as RFC 9457 extension members. */
  record WithProblem(@JsonUnwrapped Problem problem, @JsonUnwrapped BatchResult lists) {}
}
