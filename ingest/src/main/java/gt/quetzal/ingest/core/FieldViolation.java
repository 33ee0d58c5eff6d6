package gt.quetzal.ingest.core;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * One thing wrong with one field of a vote.
 *
 * @param field   the field at fault as the client named it ({@code rank}, {@code Idempotency-Key}, or
 *                an unknown field's name)
 * @param code    a stable machine-readable code (see the constants), also used as a metric tag
 * @param message a human-readable sentence fragment, e.g. "must be between 1 and 100"
 */
@JsonPropertyOrder({"field", "message", "code"})
public record FieldViolation(String field, String code, String message) {

  public static final String REQUIRED = "required";
  public static final String BLANK = "blank";
  public static final String WRONG_TYPE = "wrong_type";
  public static final String TOO_LONG = "too_long";
  /** A client-chosen voteId shorter than the minimum that keeps clients from colliding. */
  public static final String TOO_SHORT = "too_short";
  public static final String INVALID_TEXT = "invalid_text";
  public static final String NOT_AN_INTEGER = "not_an_integer";
  public static final String OUT_OF_RANGE = "out_of_range";
  public static final String INVALID_FORMAT = "invalid_format";
  public static final String CONFLICT = "conflict";
  public static final String UNKNOWN_FIELD = "unknown_field";
  /** A field or header that is well-formed but not accepted in this place (e.g. a per-vote key on a batch). */
  public static final String NOT_ALLOWED = "not_allowed";
  /** A well-formed band or album that the contest's catalog does not list. */
  public static final String NOT_IN_CONTEST = "not_in_contest";

  public FieldViolation {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
