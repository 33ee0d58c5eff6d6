package gt.quetzal.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.ingest.core.CastOutcome;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.PublishFailure;
import gt.quetzal.ingest.core.ValidationResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchResultTest {

  private static final FieldViolation BAD_RANK = new FieldViolation("rank", "out_of_range", "must be between 1 and 100");

  @Test
  void eachOutcomeGoesToItsListUnderItsIndex() {
    BatchResult result =
        BatchResult.of(
            List.of(
                new CastOutcome.Unavailable("vote-0", new PublishFailure("Kafka could not take the vote right now", "x")),
                new CastOutcome.Accepted("vote-1"),
                new ValidationResult.Invalid(List.of(BAD_RANK)),
                new CastOutcome.Accepted("vote-3")));
    assertThat(result.accepted()).containsExactly(new BatchResult.Accepted(1, "vote-1"), new BatchResult.Accepted(3, "vote-3"));
    assertThat(result.rejected()).containsExactly(new BatchResult.Rejected(2, List.of(BAD_RANK)));
    assertThat(result.unavailable()).containsExactly(new BatchResult.Unavailable(0, "vote-0"));
  }

  @Test
  void aBatchProblemIsTheProblemDocumentWithTheListsAsExtensionMembers() {
    BatchResult result = BatchResult.of(List.of(new ValidationResult.Invalid(List.of(BAD_RANK))));
    String json = new String(HttpJson.bytes(new BatchResult.WithProblem(Problem.invalidBatch(result.rejected()), result)), StandardCharsets.UTF_8);
    assertThat(json)
        .isEqualTo(
            "{\"type\":\"urn:quetzal:problem:invalid-vote\",\"title\":\"No vote in the batch is valid\",\"status\":400,"
                + "\"detail\":\"Every vote of the batch broke a rule; see rejected for each vote's errors.\","
                + "\"errors\":[{\"field\":\"[0].rank\",\"message\":\"must be between 1 and 100\",\"code\":\"out_of_range\"}],"
                + "\"accepted\":[],"
                + "\"rejected\":[{\"index\":0,\"errors\":[{\"field\":\"rank\",\"message\":\"must be between 1 and 100\",\"code\":\"out_of_range\"}]}],"
                + "\"unavailable\":[]}");
  }
}
