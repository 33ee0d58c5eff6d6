package gt.quetzal.ingest.core;

import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.contract.Names;
import gt.quetzal.contract.VoteText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Ingest's door check: the HTTP and gRPC routes both call it. The rules themselves (limits,
 * characters, NFC) are {@link VoteText}'s and {@link Names}', shared with the streams app; this class
 * words each broken rule as a field error. It never throws on bad input: it reports every violation
 * at once, so a client fixes its request in one round trip.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>{@code name}, {@code album}: required strings; stripped of surrounding whitespace and
 *       NFC-normalised (accents are composed, never removed); not blank; at most {@link
 *       VoteRules#maxTextLength()} code points; no control characters (C0, DEL, C1: this includes
 *       NUL, tab and newline) or unpaired surrogates; no {@code <} or {@code >}, so markup never
 *       enters the tallies (no band or album name needs them, and the page renders text anyway:
 *       this is defence in depth); no invisible formatting characters (Unicode Cf, Zl, Zp:
 *       zero-width spaces and joiners, byte-order marks, direction overrides). The rules are
 *       {@link VoteText}'s, which the streams app applies too.
 *   <li>{@code year}, {@code rank}: required whole numbers, given as a number (with no fractional
 *       part: {@code 87} or {@code 87.0}) or as a string of digits with an optional sign ({@code
 *       "87"}); year in 1900..(current year + 1), rank in 1..100.
 *   <li>{@code voterId}: optional string with the same text rules as name; blank counts as absent.
 *   <li>{@code voteId} and the transport's idempotency key: optional, 1..{@link
 *       VoteRules#maxVoteIdLength()} characters of {@code [A-Za-z0-9._:-]}, taken as given (not
 *       trimmed). Either may be sent; when both are sent they must be equal. When neither is, a
 *       time-ordered id is generated.
 *   <li>Fields the transport did not recognise are rejected (see {@link VoteCandidate#unknownFields()}).
 *   <li>With a contest catalog, {@code name} must be one of its bands and {@code album} one of that
 *       band's albums, matched like the streams app matches them ({@link CatalogIndex}: trimmed, NFC,
 *       case-insensitive); code {@value FieldViolation#NOT_IN_CONTEST}. An open contest takes any name.
 *       The streams app checks again, for a catalog that changed in between.
 * </ul>
 */
public final class VoteValidator {

  /** How the transport-level idempotency key is named in violations (the HTTP header's name). */
  public static final String IDEMPOTENCY_KEY_FIELD = "Idempotency-Key";

  private static final Pattern INTEGER_TEXT = Pattern.compile("[+-]?[0-9]+");

  private final VoteRules rules;
  private final Clock clock;
  private final Supplier<String> voteIdGenerator;
  private final Supplier<CatalogIndex> contest;

  /**
   * @param clock           stamps {@code receivedAt} and decides the current year
   * @param voteIdGenerator makes an id for votes that came without one (production: {@link
   *                        UuidV7Generator#nextString()})
   */
  public VoteValidator(VoteRules rules, Clock clock, Supplier<String> voteIdGenerator) {
    this(rules, clock, voteIdGenerator, () -> CatalogIndex.OPEN);
  }

  private VoteValidator(
      VoteRules rules, Clock clock, Supplier<String> voteIdGenerator, Supplier<CatalogIndex> contest) {
    this.rules = Objects.requireNonNull(rules, "rules");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.voteIdGenerator = Objects.requireNonNull(voteIdGenerator, "voteIdGenerator");
    this.contest = Objects.requireNonNull(contest, "contest");
  }

  /** This validator, also matching names against the contest as {@code contest} says it is now. */
  public VoteValidator withContest(Supplier<CatalogIndex> contest) {
    return new VoteValidator(rules, clock, voteIdGenerator, contest);
  }

  /** A validator with the production clock and UUIDv7 ids. */
  public static VoteValidator standard(VoteRules rules) {
    return standard(rules, Clock.systemUTC());
  }

  /** As {@link #standard(VoteRules)} on {@code clock}: the fault runs' seam for an ingest whose clock is off. */
  public static VoteValidator standard(VoteRules rules, Clock clock) {
    UuidV7Generator ids = new UuidV7Generator(clock);
    return new VoteValidator(rules, clock, ids::nextString);
  }

  public VoteRules rules() {
    return rules;
  }

  /**
   * Applies every rule to {@code candidate}.
   *
   * @param channel {@link VoteEvent#CHANNEL_HTTP} or {@link VoteEvent#CHANNEL_GRPC}
   */
  public ValidationResult validate(VoteCandidate candidate, String channel) {
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(channel, "channel");
    long now = clock.millis();
    int maxYear = VoteText.latestYear(LocalDate.ofInstant(clock.instant(), clock.getZone()).getYear());

    List<FieldViolation> violations = new ArrayList<>();
    String name = requiredText("name", candidate.name(), violations);
    String album = requiredText("album", candidate.album(), violations);
    Integer year = wholeNumber("year", candidate.year(), VoteText.MIN_YEAR, maxYear, violations);
    Integer rank = wholeNumber("rank", candidate.rank(), VoteText.MIN_RANK, VoteText.MAX_RANK, violations);
    String voterId = optionalText("voterId", candidate.voterId(), violations);
    String voteId = voteId(candidate, violations);
    for (String unknown : candidate.unknownFields()) {
      violations.add(
          new FieldViolation(
              unknown,
              FieldViolation.UNKNOWN_FIELD,
              "is not a known field (known: name, album, year, rank, voterId, voteId)"));
    }

    if (name != null && album != null) {
      inContest(name, album, violations);
    }

    if (!violations.isEmpty()) {
      return new ValidationResult.Invalid(violations);
    }
    if (voteId == null) {
      voteId = voteIdGenerator.get();
    }
    return new ValidationResult.Valid(
        new VoteEvent(voteId, name, album, year, rank, voterId, channel, now));
  }

  private void inContest(String name, String album, List<FieldViolation> out) {
    CatalogIndex.Match match = contest.get().match(name, album);
    if (match instanceof CatalogIndex.Match.UnknownBand) {
      out.add(new FieldViolation("name", FieldViolation.NOT_IN_CONTEST, "is not a band of this contest"));
    } else if (match instanceof CatalogIndex.Match.UnknownAlbum unknown) {
      out.add(
          new FieldViolation(
              "album", FieldViolation.NOT_IN_CONTEST, "is not an album of " + unknown.band() + " in this contest"));
    }
  }

  // ---- text ----------------------------------------------------------------------------------

  private String requiredText(String field, Object value, List<FieldViolation> out) {
    return text(field, value, true, out);
  }

  private String optionalText(String field, Object value, List<FieldViolation> out) {
    return text(field, value, false, out);
  }

  /** An absent or blank optional field means "not given"; a required one is a violation. */
  private String text(String field, Object value, boolean required, List<FieldViolation> out) {
    if (value == null) {
      if (required) {
        out.add(new FieldViolation(field, FieldViolation.REQUIRED, "is required"));
      }
      return null;
    }
    if (!(value instanceof String raw)) {
      out.add(wrongType(field, "a string", value));
      return null;
    }
    String text = Names.normalise(raw);
    if (text.isEmpty()) {
      if (required) {
        out.add(new FieldViolation(field, FieldViolation.BLANK, "must not be blank"));
      }
      return null;
    }
    return checkText(field, text, out) ? text : null;
  }

  private boolean checkText(String field, String text, List<FieldViolation> out) {
    VoteText.Problem problem = VoteText.check(text, rules.maxTextLength());
    if (problem == null) {
      return true;
    }
    if (problem == VoteText.Problem.TOO_LONG) {
      int length = text.codePointCount(0, text.length());
      out.add(
          new FieldViolation(
              field,
              FieldViolation.TOO_LONG,
              "must be at most " + rules.maxTextLength() + " characters (got " + length + ")"));
    } else {
      out.add(new FieldViolation(field, FieldViolation.INVALID_TEXT, problem.message()));
    }
    return false;
  }

  // ---- numbers -------------------------------------------------------------------------------

  private static Integer wholeNumber(String field, Object value, int min, int max, List<FieldViolation> out) {
    if (value == null) {
      out.add(new FieldViolation(field, FieldViolation.REQUIRED, "is required"));
      return null;
    }
    // The usual shapes, a small int or a short string of digits, decided without BigInteger or the regex.
    int small = smallWhole(value);
    if (small >= 0) {
      if (small < min || small > max) {
        out.add(new FieldViolation(field, FieldViolation.OUT_OF_RANGE, "must be between " + min + " and " + max));
        return null;
      }
      return small;
    }
    BigInteger whole;
    if (value instanceof String text) {
      String stripped = text.strip();
      if (stripped.isEmpty()) {
        out.add(new FieldViolation(field, FieldViolation.BLANK, "must not be blank"));
        return null;
      }
      if (!INTEGER_TEXT.matcher(stripped).matches()) {
        out.add(new FieldViolation(field, FieldViolation.NOT_AN_INTEGER, "must be a whole number, like \"" + min + "\""));
        return null;
      }
      whole = new BigInteger(stripped); // bounded by the text limit of the body, so cheap
    } else if (value instanceof Number number) {
      whole = wholeValue(number);
      if (whole == null) {
        out.add(new FieldViolation(field, FieldViolation.NOT_AN_INTEGER, "must be a whole number, without a fractional part"));
        return null;
      }
    } else {
      out.add(wrongType(field, "a whole number or a string of digits", value));
      return null;
    }
    if (whole.compareTo(BigInteger.valueOf(min)) < 0 || whole.compareTo(BigInteger.valueOf(max)) > 0) {
      out.add(new FieldViolation(field, FieldViolation.OUT_OF_RANGE, "must be between " + min + " and " + max));
      return null;
    }
    return whole.intValueExact();
  }

  /**
   * The value of an {@link Integer} from 0 up, or of a string of 1 to {@value #SMALL_DIGITS} ASCII
   * digits with no sign or whitespace; -1 for anything else, which takes the general path.
   */
  private static int smallWhole(Object value) {
    if (value instanceof Integer number) {
      return Math.max(-1, number);
    }
    if (!(value instanceof String text) || text.isEmpty() || text.length() > SMALL_DIGITS) {
      return -1;
    }
    int result = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      result = result * 10 + (c - '0');
    }
    return result;
  }

  /** Digits that always fit an int. */
  private static final int SMALL_DIGITS = 9;

  /**
   * The exact whole value of a number, or {@code null} when it has a fractional part or is not
   * finite. Magnitudes far outside any range are clamped rather than expanded, so an input such as
   * {@code 1e1000000000} costs nothing and is still reported as out of range.
   */
  private static BigInteger wholeValue(Number number) {
    if (number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte) {
      return BigInteger.valueOf(number.longValue());
    }
    if (number instanceof BigInteger big) {
      return big;
    }
    BigDecimal decimal;
    if (number instanceof BigDecimal exact) {
      decimal = exact;
    } else {
      double d = number.doubleValue();
      if (!Double.isFinite(d)) {
        return null;
      }
      decimal = new BigDecimal(d); // exact binary value: 87.5 stays fractional
    }
    if (decimal.signum() == 0) {
      return BigInteger.ZERO;
    }
    BigDecimal stripped = decimal.stripTrailingZeros();
    if (stripped.scale() > 0) {
      return null;
    }
    // precision - scale = number of integer digits; beyond 18 it cannot be in any int range
    if ((long) stripped.precision() - stripped.scale() > 18) {
      return BigInteger.valueOf(stripped.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE);
    }
    return stripped.toBigIntegerExact();
  }

  // ---- ids -----------------------------------------------------------------------------------

  private String voteId(VoteCandidate candidate, List<FieldViolation> out) {
    String fromBody = null;
    boolean bodyValid = true;
    if (candidate.voteId() != null) {
      if (candidate.voteId() instanceof String text) {
        bodyValid = checkVoteId("voteId", text, out);
        fromBody = text;
      } else {
        out.add(wrongType("voteId", "a string", candidate.voteId()));
        bodyValid = false;
      }
    }
    String fromTransport = candidate.idempotencyKey();
    boolean transportValid = fromTransport == null || checkVoteId(IDEMPOTENCY_KEY_FIELD, fromTransport, out);
    if (!bodyValid || !transportValid) {
      return null;
    }
    if (fromBody != null && fromTransport != null && !fromBody.equals(fromTransport)) {
      out.add(
          new FieldViolation(
              "voteId",
              FieldViolation.CONFLICT,
              "differs from the " + IDEMPOTENCY_KEY_FIELD + " header; send one of them, or the same value in both"));
      return null;
    }
    return fromBody != null ? fromBody : fromTransport;
  }

  private boolean checkVoteId(String field, String id, List<FieldViolation> out) {
    if (!VoteText.isVoteId(id, rules.maxVoteIdLength())) {
      out.add(
          new FieldViolation(
              field,
              FieldViolation.INVALID_FORMAT,
              "must be " + rules.minVoteIdLength() + " to " + rules.maxVoteIdLength()
                  + " characters from A-Z a-z 0-9 . _ : -"));
      return false;
    }
    if (id.length() < rules.minVoteIdLength()) {
      out.add(
          new FieldViolation(
              field,
              FieldViolation.TOO_SHORT,
              "must be at least " + rules.minVoteIdLength() + " characters, so that no other client picks the"
                  + " same one by accident (use a UUID), or be left out: ingest then makes one"));
      return false;
    }
    return true;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static FieldViolation wrongType(String field, String expected, Object actual) {
    return new FieldViolation(field, FieldViolation.WRONG_TYPE, "must be " + expected + ", not " + describe(actual));
  }

  private static String describe(Object value) {
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Map) {
      return "an object";
    }
    if (value instanceof List) {
      return "an array";
    }
    return "a " + value.getClass().getSimpleName();
  }
}
