package gt.quetzal.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.ingest.core.CastItem;
import gt.quetzal.ingest.core.CastOutcome;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.ValidationResult;
import gt.quetzal.ingest.core.VoteCandidate;
import gt.quetzal.ingest.core.VoteCaster;
import gt.quetzal.ingest.core.VoteValidator;
import io.javalin.http.Context;
import io.micrometer.core.instrument.DistributionSummary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@code POST /votes} and {@code POST /votes/batch}: each request passes {@link VoteIntake}, its
 * votes go through the {@link VoteCaster}, and the outcomes are written as below.
 *
 * <h2>POST /votes</h2>
 *
 * One vote as a JSON object in the seed's format, {@code {"name","album","year","rank"}}, with
 * optional {@code voterId} and {@code voteId}; {@code year} and {@code rank} may be numbers or
 * strings. The {@code Idempotency-Key} header is equivalent to {@code voteId}; if both are sent
 * they must be equal. The body must be {@code application/json} (or {@code application/*+json}) in
 * UTF-8, at most {@link IngestHttpConfig#maxBodyBytes()} bytes.
 *
 * <ul>
 *   <li><b>202</b> {@code {"voteId": "..."}} only after Kafka acknowledged the vote (acks=all,
 *       idempotent producer). The id is the client's, or a generated UUIDv7.
 *   <li><b>503</b> with {@code Retry-After} when Kafka failed or did not answer within {@link
 *       IngestHttpConfig#publishTimeoutMs()}. The problem carries the {@code voteId}: the vote may
 *       still have been stored, and a retry under that id is counted once. Never a false 202.
 *   <li><b>400</b> malformed JSON, a body that is not one object, or any rule of {@link
 *       VoteValidator} broken (all violations listed at once).
 *   <li><b>413</b> body too large, <b>415</b> not JSON or not UTF-8, <b>404</b> unknown path,
 *       <b>405</b> wrong method (with {@code Allow}).
 *   <li><b>429</b> with {@code Retry-After} when rate limiting is on and the client (address or
 *       voterId, {@link gt.quetzal.ingest.core.RateLimitConfig}) sent more votes than its rate.
 *   <li><b>408</b> (or the connection closed) when the body stalls for {@link
 *       IngestHttpConfig#idleTimeoutMs()}: a slow client never holds a thread longer than that.
 * </ul>
 *
 * <p>Text fields refuse control characters (NUL included) and {@code <} / {@code >}; see {@link
 * VoteValidator}. The parser refuses nesting deeper than {@value VoteJson#MAX_NESTING_DEPTH} and
 * numbers longer than {@value VoteJson#MAX_NUMBER_LENGTH} characters, and bodies that are not
 * strict UTF-8. Requests Jetty refuses before routing (e.g. {@code %00} in the path) get
 * problem+json too ({@link ProblemErrorHandler}).
 *
 * <h2>POST /votes/batch</h2>
 *
 * A JSON array of votes in the traffic-file format (each item as for {@code POST /votes}), at most
 * {@link IngestHttpConfig#maxBatchSize()} items and {@link IngestHttpConfig#maxBatchBodyBytes()}
 * bytes. Each item is validated on its own; the valid ones are published, and the answer waits
 * until Kafka answered for every one of them. The body lists every index in exactly one of {@code
 * accepted [{index, voteId}]}, {@code rejected [{index, errors}]} and {@code unavailable [{index,
 * voteId}]} (see {@link BatchResult}).
 *
 * <ul>
 *   <li><b>202</b> {@code application/json} when at least one vote was accepted, whatever happened
 *       to the others: the client must act on the lists either way, and a 202 says "some of this
 *       is durable now". If any are unavailable, {@code Retry-After} is set.
 *   <li><b>503</b> problem+json (with {@code Retry-After} and the three lists as extension
 *       members) when none was accepted and at least one was unavailable: retrying helps.
 *   <li><b>400</b> problem+json (with the lists) when every item was invalid: retrying does not.
 *       Its {@code errors} name each field as {@code [index].field}.
 *   <li><b>413</b> problem+json when the array has more than the maximum of items ({@code
 *       urn:quetzal:problem:batch-too-large}, field {@code body}, code {@code too_many_items}) or
 *       the body more than the maximum of bytes ({@code body-too-large}). 413 rather than 400: the
 *       request is well-formed, just larger than this server takes, and splitting it works.
 *   <li><b>400</b> when the body is not an array, is an empty array, or carries an {@code
 *       Idempotency-Key} header (one key cannot name many votes: put a voteId in each item).
 * </ul>
 *
 * <h2>Unknown fields are rejected</h2>
 *
 * A field outside {@code name, album, year, rank, voterId, voteId} makes the vote invalid (400,
 * the field named, code {@code unknown_field}). Ignoring them would be more forgiving, but a typo
 * such as {@code "voteid"} would then silently drop the idempotency key, and a retried vote would
 * count twice. Votes are small and their shape is fixed, so strictness costs little.
 */
final class VoteRoutes {

  static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  private final VoteCaster caster;
  private final VoteIntake intake;
  private final IngestHttpConfig config;
  private final DistributionSummary batchSizes;

  VoteRoutes(VoteCaster caster, VoteIntake intake, IngestHttpConfig config, DistributionSummary batchSizes) {
    this.caster = caster;
    this.intake = intake;
    this.config = config;
    this.batchSizes = batchSizes;
  }

  void postVote(Context ctx, Executor responses) {
    VoteIntake.requireJson(ctx);
    VoteIntake.Body body = intake.read(ctx, config.maxBodyBytes());
    JsonNode tree = body.tree();
    if (!tree.isObject()) {
      throw new ProblemException(
          Problem.invalidBody(FieldViolation.WRONG_TYPE, "must be one JSON object (one vote), not " + describe(tree)),
          "not_an_object");
    }
    VoteCandidate candidate = VoteJson.toCandidate(tree).withIdempotencyKey(ctx.header(IDEMPOTENCY_KEY_HEADER));
    intake.chargeVotes(ctx, Collections.singletonList(candidate.voterId()), body.paid());
    answer(ctx, caster.cast(candidate), responses, outcome -> answerVote(ctx, outcome));
  }

  void postBatch(Context ctx, Executor responses) {
    VoteIntake.requireJson(ctx);
    if (ctx.header(IDEMPOTENCY_KEY_HEADER) != null) {
      throw new ProblemException(
          Problem.invalidVote(
              List.of(
                  new FieldViolation(
                      IDEMPOTENCY_KEY_HEADER,
                      FieldViolation.NOT_ALLOWED,
                      "names one vote, so it is not allowed on a batch; put a voteId in each vote instead"))),
          "invalid");
    }
    VoteIntake.Body body = intake.read(ctx, config.maxBatchBodyBytes());
    JsonNode tree = body.tree();
    if (!tree.isArray()) {
      throw new ProblemException(
          Problem.invalidBody(
              FieldViolation.WRONG_TYPE,
              "must be a JSON array of votes, not " + describe(tree) + " (single votes go to POST /votes)"),
          "not_an_array");
    }
    int size = tree.size();
    if (size == 0) {
      throw new ProblemException(Problem.invalidBody(FieldViolation.REQUIRED, "must hold at least one vote"), "empty_body");
    }
    if (size > config.maxBatchSize()) {
      throw new ProblemException(Problem.batchTooLarge(config.maxBatchSize(), size), "too_many_items");
    }
    batchSizes.record(size);
    if (intake.limited()) { // the voterIds are only gathered when they are charged
      List<Object> voterIds = new ArrayList<>(size);
      for (JsonNode item : tree) {
        JsonNode voterId = item.get("voterId");
        voterIds.add(voterId != null && voterId.isTextual() ? voterId.textValue() : null);
      }
      intake.chargeVotes(ctx, voterIds, body.paid());
    }
    List<CastItem> items = new ArrayList<>(size);
    for (JsonNode item : tree) {
      items.add(
          item.isObject()
              ? VoteJson.toCandidate(item)
              : new CastItem.NotAVote(
                  new FieldViolation("vote", FieldViolation.WRONG_TYPE, "must be a JSON object (one vote), not " + describe(item))));
    }
    // One timeout for the whole batch, not one timer per vote; the batch then waits for its slowest vote.
    answer(ctx, caster.castAll(items, VoteCaster.Wait.PUBLISH_TIMEOUT), responses, outcomes -> answerBatch(ctx, outcomes));
  }

  /**
   * Writes at once when nothing went to Kafka; otherwise the request thread returns and the answer
   * is written from Jetty's pool once Kafka answered ({@code ctx.future}), never on Kafka's thread.
   */
  private static <T> void answer(Context ctx, CompletableFuture<T> outcome, Executor responses, Consumer<T> write) {
    if (outcome.isDone()) {
      write.accept(outcome.join());
    } else {
      ctx.future(() -> outcome.thenAcceptAsync(write, responses));
    }
  }

  private void answerVote(Context ctx, CastOutcome outcome) {
    if (outcome instanceof CastOutcome.Accepted accepted) {
      HttpJson.write(ctx, 202, Map.of("voteId", accepted.voteId()));
    } else if (outcome instanceof ValidationResult.Invalid invalid) {
      HttpJson.problem(ctx, Problem.invalidVote(invalid.violations()));
    } else if (outcome instanceof CastOutcome.Unavailable unavailable) {
      ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
      HttpJson.problem(
          ctx,
          Problem.unavailable(
              unavailable.failure().forClient() + ". It may still have been stored: retry after " + config.retryAfterSeconds()
                  + " s with the same voteId, which is counted once.",
              unavailable.voteId()));
    } else {
      throw new IllegalStateException("a vote over HTTP cannot be " + outcome);
    }
  }

  private void answerBatch(Context ctx, List<CastOutcome> outcomes) {
    BatchResult result = BatchResult.of(outcomes);
    if (!result.unavailable().isEmpty()) {
      ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
    }
    if (!result.accepted().isEmpty()) {
      HttpJson.write(ctx, 202, result);
      return;
    }
    Problem problem =
        result.unavailable().isEmpty()
            ? Problem.invalidBatch(result.rejected())
            : Problem.unavailable(
                firstFailure(outcomes) + ". No vote of the batch was accepted; the unavailable ones may still have been"
                    + " stored: resend them after " + config.retryAfterSeconds()
                    + " s with the listed voteIds, which are counted once.",
                null);
    HttpJson.problem(ctx, problem.status(), new BatchResult.WithProblem(problem, result));
  }

  private static String firstFailure(List<CastOutcome> outcomes) {
    for (CastOutcome outcome : outcomes) {
      if (outcome instanceof CastOutcome.Unavailable unavailable) {
        return unavailable.failure().forClient();
      }
    }
    throw new IllegalArgumentException("no vote was unavailable");
  }

  private static String describe(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return "null";
  }
}
