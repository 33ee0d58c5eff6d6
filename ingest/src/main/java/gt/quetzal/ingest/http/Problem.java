package gt.quetzal.ingest.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import gt.quetzal.ingest.core.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 9457 problem document, the body of every error this service answers with ({@code
 * application/problem+json}).
 *
 * <p>Shape: {@code {type, title, status, detail, errors: [{field, message, code}]}}, plus {@code
 * voteId} on a 503 when the vote already had one, so a client can retry under the same id.
 * {@code errors} is always present (empty when no field is at fault, as for 404 or 503); for
 * problems with the body as a whole the field is {@code body}, and for the media type it is
 * {@code Content-Type}.
 *
 * @param type   a stable URI naming the kind of problem ({@code urn:quetzal:problem:...})
 * @param title  a short summary that does not change between occurrences
 * @param status the HTTP status code
 * @param detail what went wrong this time
 * @param errors the fields at fault
 * @param voteId the vote's id when known (only on 503)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "title", "status", "detail", "errors", "voteId"})
public record Problem(
    String type, String title, int status, String detail, List<FieldViolation> errors, String voteId) {

  private static final String PREFIX = "urn:quetzal:problem:";

  public static final String INVALID_VOTE = PREFIX + "invalid-vote";
  public static final String MALFORMED_JSON = PREFIX + "malformed-json";
  public static final String BODY_TOO_LARGE = PREFIX + "body-too-large";
  public static final String BATCH_TOO_LARGE = PREFIX + "batch-too-large";
  public static final String UNSUPPORTED_MEDIA_TYPE = PREFIX + "unsupported-media-type";
  public static final String NOT_FOUND = PREFIX + "not-found";
  public static final String METHOD_NOT_ALLOWED = PREFIX + "method-not-allowed";
  public static final String UNAVAILABLE = PREFIX + "unavailable";
  public static final String RATE_LIMITED = PREFIX + "rate-limited";
  public static final String REQUEST_TIMEOUT = PREFIX + "request-timeout";
  public static final String INTERNAL = PREFIX + "internal";

  public Problem {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(title, "title");
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  public Problem(String type, String title, int status, String detail, List<FieldViolation> errors) {
    this(type, title, status, detail, errors, null);
  }

  static Problem invalidVote(List<FieldViolation> violations) {
    String fields = String.join(", ", violations.stream().map(FieldViolation::field).distinct().toList());
    return new Problem(INVALID_VOTE, "The vote is invalid", 400, "Fix these fields: " + fields + ".", violations);
  }

  /** A problem with the body as a whole: its one error names the field {@code body}. */
  private static Problem aboutBody(String type, String title, int status, String detail, String code, String message) {
    return new Problem(type, title, status, detail, List.of(new FieldViolation("body", code, message)));
  }

  static Problem invalidBody(String code, String message) {
    return aboutBody(INVALID_VOTE, "The vote is invalid", 400, "The body " + message + ".", code, message);
  }

  static Problem malformedJson(String detail) {
    return aboutBody(MALFORMED_JSON, "The body is not valid JSON", 400, detail, "malformed_json", "is not valid JSON");
  }

  static Problem bodyTooLarge(long limit) {
    return aboutBody(
        BODY_TOO_LARGE, "The body is too large", 413, "The body may be at most " + limit + " bytes here.", "too_large",
        "must be at most " + limit + " bytes");
  }

  static Problem batchTooLarge(int limit, int given) {
    return aboutBody(
        BATCH_TOO_LARGE, "The batch has too many votes", 413,
        "A batch may hold at most " + limit + " votes; this one has " + given + ". Split it.", "too_many_items",
        "must hold at most " + limit + " votes (got " + given + ")");
  }

  static Problem unsupportedMediaType(String given) {
    String shown = given == null || given.isBlank() ? "no Content-Type" : "Content-Type " + given;
    return new Problem(
        UNSUPPORTED_MEDIA_TYPE,
        "Unsupported media type",
        415,
        "Send the vote as application/json in UTF-8; got " + shown + ".",
        List.of(new FieldViolation("Content-Type", "unsupported", "must be application/json (UTF-8)")));
  }

  static Problem notFound(String path) {
    return new Problem(NOT_FOUND, "Not found", 404, "No resource at " + path + "; votes go to POST /votes or POST /votes/batch.", List.of());
  }

  static Problem methodNotAllowed(String method, String path, String allow) {
    return new Problem(
        METHOD_NOT_ALLOWED,
        "Method not allowed",
        405,
        method + " is not allowed on " + path + "; allowed: " + allow + ".",
        List.of());
  }

  /** A batch without one valid vote; each error's field is {@code [index].field}. */
  static Problem invalidBatch(List<BatchResult.Rejected> rejected) {
    List<FieldViolation> errors = new ArrayList<>();
    for (BatchResult.Rejected item : rejected) {
      for (FieldViolation violation : item.errors()) {
        errors.add(new FieldViolation("[" + item.index() + "]." + violation.field(), violation.code(), violation.message()));
      }
    }
    return new Problem(
        INVALID_VOTE,
        "No vote in the batch is valid",
        400,
        "Every vote of the batch broke a rule; see rejected for each vote's errors.",
        errors);
  }

  static Problem unavailable(String detail, String voteId) {
    return new Problem(UNAVAILABLE, "Votes cannot be accepted right now", 503, detail, List.of(), voteId);
  }

  /**
   * 429: this client sent more votes than its rate allows. When the bucket was the voterId's, the
   * error names {@code voterId}; when it was the client address's, no field is at fault.
   */
  static Problem rateLimited(long retryAfterSeconds, boolean byVoter) {
    String who = byVoter ? "this voterId" : "this client";
    List<FieldViolation> errors =
        byVoter
            ? List.of(new FieldViolation("voterId", "rate_limited", "sent more votes than its rate allows"))
            : List.of();
    return new Problem(
        RATE_LIMITED,
        "Too many votes",
        429,
        "Votes from " + who + " exceed the allowed rate; retry after " + retryAfterSeconds + " s. Nothing of this request was accepted.",
        errors);
  }

  static Problem requestTimeout(long idleTimeoutMs) {
    return aboutBody(
        REQUEST_TIMEOUT, "The request took too long", 408,
        "The body did not arrive within " + idleTimeoutMs + " ms of silence; nothing was accepted.", "timeout",
        "was not sent in time");
  }

  static Problem internal() {
    return new Problem(INTERNAL, "Internal error", 500, "The server failed unexpectedly; the vote was not accepted.", List.of());
  }
}
