package gt.quetzal.contract;

import java.util.regex.Pattern;

/**
 * The vote rules both checkers apply, written once: ingest at the door, and the streams app for
 * anything that reaches {@code votes.raw} another way. Each side words a broken rule its own way (a
 * field error, a rejection detail); the rule itself lives here.
 */
public final class VoteText {

  public static final int MIN_YEAR = 1900;
  /** The latest valid year is the current year plus this, so next year's releases can be voted. */
  public static final int YEARS_AHEAD = 1;
  public static final int MIN_RANK = 1;
  public static final int MAX_RANK = 100;

  /** Ingest's default for {@code MAX_FIELD_LENGTH}, in code points after NFC. */
  public static final int DEFAULT_MAX_TEXT_LENGTH = 200;
  /**
   * The most {@code MAX_FIELD_LENGTH} may be set to. The streams app enforces this bound: ingest's
   * own, lower limit is a deployment choice at the door, and a vote it took must always count.
   */
  public static final int MAX_TEXT_LENGTH_LIMIT = 10_000;

  /**
   * A client-chosen voteId (or Idempotency-Key): taken as given, never trimmed. The rule's text;
   * {@link #isVoteId} checks it without a regex, since it runs on every vote.
   */
  public static final Pattern VOTE_ID = Pattern.compile("[A-Za-z0-9._:-]+");
  public static final int DEFAULT_MAX_VOTE_ID_LENGTH = 100;
  /**
   * The shortest voteId ingest takes from a client. De-duplication keys on the voteId alone, so two
   * clients that both pick "1" (or count from 1) would have the second vote dropped as a duplicate of
   * the first; 16 characters is what a UUID or a random id has, and what no counter reaches by
   * accident. Ingest's own ids are UUIDv7. The streams app does not apply it: it is a door rule.
   */
  public static final int DEFAULT_MIN_VOTE_ID_LENGTH = 16;
  /** The most {@code MAX_VOTE_ID_LENGTH} may be set to; what the streams app enforces. */
  public static final int MAX_VOTE_ID_LENGTH_LIMIT = 1_000;

  /** The first text rule a name, album or voterId breaks. */
  public enum Problem {
    TOO_LONG("is too long"),
    CONTROL("must not contain control characters"),
    MARKUP("must not contain < or > (markup is not accepted)"),
    INVISIBLE(
        "must not contain invisible formatting characters (zero-width, byte-order marks, direction"
            + " overrides, line or paragraph separators)"),
    SURROGATE("must be valid Unicode (it has an unpaired surrogate)");

    private final String message;

    Problem(String message) {
      this.message = message;
    }

    public String message() {
      return message;
    }
  }

  private VoteText() {}

  /** The latest valid year when it is {@code currentYear} (each checker picks its own clock). */
  public static int latestYear(int currentYear) {
    return currentYear + YEARS_AHEAD;
  }

  /**
   * The first rule {@code text} breaks, or {@code null}. Invisible characters are refused because
   * they would make two names that look the same ("Queen" and "Queen" with a zero-width space) two
   * bands, and direction overrides can make a name read as another on the public page.
   *
   * @param text      already stripped and NFC ({@link Names#normalise})
   * @param maxLength in code points
   */
  public static Problem check(String text, int maxLength) {
    if (text.codePointCount(0, text.length()) > maxLength) {
      return Problem.TOO_LONG;
    }
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (Character.isISOControl(cp)) {
        return Problem.CONTROL;
      }
      if (cp == '<' || cp == '>') {
        return Problem.MARKUP;
      }
      int type = Character.getType(cp);
      if (type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
        return Problem.INVISIBLE;
      }
      if (type == Character.SURROGATE) { // only an unpaired half reaches here
        return Problem.SURROGATE;
      }
      i += Character.charCount(cp);
    }
    return null;
  }

  /** Whether a client-chosen voteId has the allowed shape and length. */
  public static boolean isVoteId(String voteId, int maxLength) {
    if (voteId.isEmpty() || voteId.length() > maxLength) {
      return false;
    }
    for (int i = 0; i < voteId.length(); i++) {
      char c = voteId.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }
}
