package gt.quetzal.ingest.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import gt.quetzal.ingest.core.FieldViolation;
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
}
