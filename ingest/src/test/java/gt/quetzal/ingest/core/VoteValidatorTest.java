package gt.quetzal.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.VoteEvent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VoteValidatorTest {

  private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
  private final VoteValidator validator =
      new VoteValidator(VoteRules.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC), () -> "generated-id");

  private static VoteCandidate seed() {
    return VoteCandidate.of("Malacates Trébol Shop", "Resaca", "2002", "87");
  }

  private VoteEvent valid(VoteCandidate candidate) {
    ValidationResult result = validator.validate(candidate, VoteEvent.CHANNEL_HTTP);
    assertThat(result).isInstanceOf(ValidationResult.Valid.class);
    return ((ValidationResult.Valid) result).vote();
  }

  private List<FieldViolation> invalid(VoteCandidate candidate) {
    ValidationResult result = validator.validate(candidate, VoteEvent.CHANNEL_HTTP);
    assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
    return ((ValidationResult.Invalid) result).violations();
  }

  private void assertSingle(VoteCandidate candidate, String field, String code) {
    assertThat(invalid(candidate))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo(field);
              assertThat(v.code()).isEqualTo(code);
              assertThat(v.message()).isNotBlank();
            });
  }

  // ---- valid votes ----------------------------------------------------------------------------

  @Test
  void seedVoteWithStringNumbersBecomesATypedEvent() {
    VoteEvent vote = valid(seed());
    assertThat(vote.name()).isEqualTo("Malacates Trébol Shop");
    assertThat(vote.album()).isEqualTo("Resaca");
    assertThat(vote.year()).isEqualTo(2002);
    assertThat(vote.rank()).isEqualTo(87);
    assertThat(vote.voterId()).isNull();
    assertThat(vote.voteId()).isEqualTo("generated-id");
    assertThat(vote.channel()).isEqualTo("http");
    assertThat(vote.receivedAt()).isEqualTo(NOW.toEpochMilli());
  }

  @Test
  void jsonNumbersOfEveryJavaTypeAreAccepted() {
    assertThat(valid(VoteCandidate.of("a", "b", 2002, 87L)).rank()).isEqualTo(87);
    assertThat(valid(VoteCandidate.of("a", "b", new BigInteger("2002"), new BigDecimal("87"))).year()).isEqualTo(2002);
    assertThat(valid(VoteCandidate.of("a", "b", new BigDecimal("2002.000"), 87.0)).year()).isEqualTo(2002);
  }

  @Test
  void numericStringsMayHaveSignLeadingZerosAndSurroundingSpaces() {
    VoteEvent vote = valid(VoteCandidate.of("a", "b", " 2002 ", "+087"));
    assertThat(vote.year()).isEqualTo(2002);
    assertThat(vote.rank()).isEqualTo(87);
  }

  @Test
  void accentedNamesArePreservedExactlyAndInNfc() {
    String composed = "Malacates Trébol Shop";
    String decomposed = Normalizer.normalize(composed, Normalizer.Form.NFD);
    assertThat(decomposed).isNotEqualTo(composed);

    VoteEvent vote = valid(VoteCandidate.of(decomposed, "Niño  del  año", "2002", "87"));
    assertThat(vote.name()).isEqualTo(composed);
    assertThat(Normalizer.isNormalized(vote.name(), Normalizer.Form.NFC)).isTrue();
    assertThat(vote.album()).isEqualTo("Niño  del  año"); // inner spacing is the band's business
  }

  @Test
  void markupCharactersAreRefusedInEveryTextFieldWithTheFieldNamed() {
    assertSingle(VoteCandidate.of("<script>x</script>", "Resaca", 2002, 87), "name", FieldViolation.INVALID_TEXT);
    assertSingle(VoteCandidate.of("Malacates", "a > b", 2002, 87), "album", FieldViolation.INVALID_TEXT);
    assertSingle(VoteCandidate.of("Malacates", "Resaca", 2002, 87).withVoterId("<img src=x>"), "voterId", FieldViolation.INVALID_TEXT);
    // look-alikes and entities are plain text: nothing a browser would parse as a tag
    assertThat(validator.validate(VoteCandidate.of("Trébol ‹Shop› &lt;b&gt; & Co.", "Resaca", 2002, 87), VoteEvent.CHANNEL_HTTP))
        .isInstanceOf(ValidationResult.Valid.class);
  }

  @Test
  void nulAndOtherControlCharactersAreRefusedInVoterIdToo() {
    assertSingle(VoteCandidate.of("Malacates", "Resaca", 2002, 87).withVoterId("ana\u0000"), "voterId", FieldViolation.INVALID_TEXT);
    assertSingle(VoteCandidate.of("Malacates", "Resaca", 2002, 87).withVoterId("a\u0085b"), "voterId", FieldViolation.INVALID_TEXT);
  }

  @Test
  void invisibleAndDirectionCharactersAreRefusedSoLookalikeNamesCannotBeTwoBands() {
    assertSingle(VoteCandidate.of("Queen\u200B", "Resaca", 2002, 87), "name", FieldViolation.INVALID_TEXT);
    assertSingle(VoteCandidate.of("Malacates", "\u202EacaseR", 2002, 87), "album", FieldViolation.INVALID_TEXT);
    assertSingle(VoteCandidate.of("Malacates", "Resaca", 2002, 87).withVoterId("\uFEFFana"), "voterId", FieldViolation.INVALID_TEXT);
  }

  @Test
  void textIsStrippedOfSurroundingWhitespace() {
    VoteEvent vote = valid(VoteCandidate.of("  Bohemia Suburbana\t", "\u2003Arrullo\n", 1997, 50));
    assertThat(vote.name()).isEqualTo("Bohemia Suburbana");
    assertThat(vote.album()).isEqualTo("Arrullo");
  }

  @Test
  void yearBoundsAre1900AndNextYear() {
    assertThat(valid(VoteCandidate.of("a", "b", 1900, 1)).year()).isEqualTo(1900);
    assertThat(valid(VoteCandidate.of("a", "b", 2027, 100)).year()).isEqualTo(2027);
    assertSingle(VoteCandidate.of("a", "b", 1899, 1), "year", FieldViolation.OUT_OF_RANGE);
    assertSingle(VoteCandidate.of("a", "b", 2028, 1), "year", FieldViolation.OUT_OF_RANGE);
    assertThat(invalid(VoteCandidate.of("a", "b", 2028, 1)).get(0).message()).contains("1900").contains("2027");
  }

  @Test
  void maxYearFollowsTheClock() {
    VoteValidator later =
        new VoteValidator(VoteRules.DEFAULT, Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC), () -> "x");
    assertThat(later.validate(VoteCandidate.of("a", "b", 2031, 1), "http")).isInstanceOf(ValidationResult.Valid.class);
  }

  @Test
  void rankBoundsAre1And100() {
    assertSingle(VoteCandidate.of("a", "b", 2000, 0), "rank", FieldViolation.OUT_OF_RANGE);
    assertSingle(VoteCandidate.of("a", "b", 2000, "101"), "rank", FieldViolation.OUT_OF_RANGE);
    assertSingle(VoteCandidate.of("a", "b", 2000, -5), "rank", FieldViolation.OUT_OF_RANGE);
  }

  @Test
  void hugeNumbersAreOutOfRangeNotOverflowed() {
    assertSingle(VoteCandidate.of("a", "b", 2000, "4294967383"), "rank", FieldViolation.OUT_OF_RANGE); // 2^32 + 87
    assertSingle(VoteCandidate.of("a", "b", 2000, new BigDecimal("1E+1000000000")), "rank", FieldViolation.OUT_OF_RANGE);
    assertSingle(VoteCandidate.of("a", "b", 2000, new BigInteger("9".repeat(40))), "rank", FieldViolation.OUT_OF_RANGE);
  }

  // ---- one test per class of bad input ------------------------------------------------------

  @Test
  void missingRequiredFieldsAreAllReportedAtOnce() {
    List<FieldViolation> violations = invalid(VoteCandidate.of(null, null, null, null));
    assertThat(violations).extracting(FieldViolation::field).containsExactly("name", "album", "year", "rank");
    assertThat(violations).extracting(FieldViolation::code).containsOnly(FieldViolation.REQUIRED);
  }

  @Test
  void blankStringsAreRejected() {
    assertSingle(VoteCandidate.of("   ", "b", 2000, 1), "name", FieldViolation.BLANK);
    assertSingle(VoteCandidate.of("a", "", 2000, 1), "album", FieldViolation.BLANK);
    assertSingle(VoteCandidate.of("a", "b", " ", 1), "year", FieldViolation.BLANK);
  }

  @Test
  void wrongTypesNameWhatWasExpectedAndWhatCame() {
    assertSingle(VoteCandidate.of(42, "b", 2000, 1), "name", FieldViolation.WRONG_TYPE);
    assertSingle(VoteCandidate.of("a", "b", 2000, Map.of()), "rank", FieldViolation.WRONG_TYPE);
    assertSingle(VoteCandidate.of("a", "b", 2000, List.of()), "rank", FieldViolation.WRONG_TYPE);
    assertSingle(VoteCandidate.of("a", "b", true, 1), "year", FieldViolation.WRONG_TYPE);
    assertThat(invalid(VoteCandidate.of("a", "b", 2000, Map.of())).get(0).message())
        .isEqualTo("must be a whole number or a string of digits, not an object");
    assertThat(invalid(VoteCandidate.of(42, "b", 2000, 1)).get(0).message()).isEqualTo("must be a string, not a number");
  }

  @Test
  void fractionalNumbersAreNotIntegers() {
    assertSingle(VoteCandidate.of("a", "b", 2000, 87.5), "rank", FieldViolation.NOT_AN_INTEGER);
    assertSingle(VoteCandidate.of("a", "b", 2000, new BigDecimal("87.0000000000000001")), "rank", FieldViolation.NOT_AN_INTEGER);
    assertSingle(VoteCandidate.of("a", "b", 2000, Double.NaN), "rank", FieldViolation.NOT_AN_INTEGER);
    assertSingle(VoteCandidate.of("a", "b", 2000, Double.POSITIVE_INFINITY), "rank", FieldViolation.NOT_AN_INTEGER);
  }

  @Test
  void nonNumericStringsAreNotIntegers() {
    assertSingle(VoteCandidate.of("a", "b", 2000, "eighty"), "rank", FieldViolation.NOT_AN_INTEGER);
    assertSingle(VoteCandidate.of("a", "b", 2000, "87.0"), "rank", FieldViolation.NOT_AN_INTEGER);
    assertSingle(VoteCandidate.of("a", "b", "1997a", 1), "year", FieldViolation.NOT_AN_INTEGER);
    assertSingle(VoteCandidate.of("a", "b", "0x7CD", 1), "year", FieldViolation.NOT_AN_INTEGER);
  }

  @Test
  void digitStringsReadTheSameOnEitherSideOfTheShortcutsNineDigitBound() {
    assertThat(valid(VoteCandidate.of("a", "b", "2002", "0087")).rank()).isEqualTo(87);
    assertThat(valid(VoteCandidate.of("a", "b", "000002002", "1")).year()).isEqualTo(2002); // 9 digits: shortcut
    assertThat(valid(VoteCandidate.of("a", "b", "0000002002", "1")).year()).isEqualTo(2002); // 10: general path
    assertThat(valid(VoteCandidate.of("a", "b", " 2002 ", "+87")).rank()).isEqualTo(87); // sign, spaces: general path
    assertSingle(VoteCandidate.of("a", "b", 2000, "999999999"), "rank", FieldViolation.OUT_OF_RANGE);
    assertSingle(VoteCandidate.of("a", "b", 2000, "0"), "rank", FieldViolation.OUT_OF_RANGE);
    assertSingle(VoteCandidate.of("a", "b", 2000, "-1"), "rank", FieldViolation.OUT_OF_RANGE);
    assertSingle(VoteCandidate.of("a", "b", 2000, Integer.MIN_VALUE), "rank", FieldViolation.OUT_OF_RANGE);
    assertSingle(VoteCandidate.of("a", "b", 2000, "８７"), "rank", FieldViolation.NOT_AN_INTEGER); // fullwidth digits are not ASCII
  }

  @Test
  void tooLongTextIsRejectedCountingCodePoints() {
    assertThat(valid(VoteCandidate.of("é".repeat(200), "b", 2000, 1)).name()).hasSize(200);
    // 200 emoji are 400 UTF-16 chars but 200 characters: allowed
    assertThat(valid(VoteCandidate.of("🎸".repeat(200), "b", 2000, 1)).name()).hasSize(400);
    assertSingle(VoteCandidate.of("x".repeat(201), "b", 2000, 1), "name", FieldViolation.TOO_LONG);
    assertSingle(VoteCandidate.of("a", "y".repeat(201), 2000, 1), "album", FieldViolation.TOO_LONG);
  }

  @Test
  void lengthLimitIsConfigurable() {
    VoteValidator strict = new VoteValidator(new VoteRules(10, 16, 100), Clock.fixed(NOW, ZoneOffset.UTC), () -> "x");
    ValidationResult result = strict.validate(VoteCandidate.of("Alux Nahual", "b", 2000, 1), "http");
    assertThat(((ValidationResult.Invalid) result).violations().get(0).message()).contains("at most 10");
  }

  @Test
  void controlCharactersAndBrokenUnicodeAreRejected() {
    assertSingle(VoteCandidate.of("Alux\u0000Nahual", "b", 2000, 1), "name", FieldViolation.INVALID_TEXT);
    assertSingle(VoteCandidate.of("Alux\nNahual", "b", 2000, 1), "name", FieldViolation.INVALID_TEXT);
    assertSingle(VoteCandidate.of("a", "broken \uD83C", 2000, 1), "album", FieldViolation.INVALID_TEXT);
  }

  @Test
  void voterIdIsOptionalTrimmedAndLimited() {
    assertThat(valid(seed().withVoterId(" voter-7 ")).voterId()).isEqualTo("voter-7");
    assertThat(valid(seed().withVoterId("  ")).voterId()).isNull();
    assertSingle(seed().withVoterId("v".repeat(201)), "voterId", FieldViolation.TOO_LONG);
    assertSingle(seed().withVoterId(7), "voterId", FieldViolation.WRONG_TYPE);
  }

  @Test
  void clientVoteIdIsKeptWhenWellFormed() {
    assertThat(valid(seed().withVoteId("0192f3a4-b5c6-7d8e-9f00-112233445566")).voteId())
        .isEqualTo("0192f3a4-b5c6-7d8e-9f00-112233445566");
    assertThat(valid(seed().withVoteId("client:42_retry.1")).voteId()).isEqualTo("client:42_retry.1");
  }

  @Test
  void voteIdOutsideTheSafeCharsetOrTooLongIsRejected() {
    assertSingle(seed().withVoteId("1"), "voteId", FieldViolation.TOO_SHORT);
    assertSingle(seed().withVoteId("a".repeat(15)), "voteId", FieldViolation.TOO_SHORT);
    assertThat(valid(seed().withVoteId("a".repeat(16))).voteId()).hasSize(16);
    assertSingle(seed().withIdempotencyKey("counter-0000042"), VoteValidator.IDEMPOTENCY_KEY_FIELD, FieldViolation.TOO_SHORT);
    assertSingle(seed().withVoteId("has space"), "voteId", FieldViolation.INVALID_FORMAT);
    assertSingle(seed().withVoteId("slash/inside"), "voteId", FieldViolation.INVALID_FORMAT);
    assertSingle(seed().withVoteId("ñandú"), "voteId", FieldViolation.INVALID_FORMAT);
    assertSingle(seed().withVoteId(""), "voteId", FieldViolation.INVALID_FORMAT);
    assertSingle(seed().withVoteId("a".repeat(101)), "voteId", FieldViolation.INVALID_FORMAT);
    assertSingle(seed().withVoteId(12345), "voteId", FieldViolation.WRONG_TYPE);
    assertThat(valid(seed().withVoteId("a".repeat(100))).voteId()).hasSize(100);
  }

  @Test
  void idempotencyKeyIsEquivalentToVoteId() {
    assertThat(valid(seed().withIdempotencyKey("idempotency-key-1")).voteId()).isEqualTo("idempotency-key-1");
    assertThat(valid(seed().withVoteId("idempotency-key-1").withIdempotencyKey("idempotency-key-1")).voteId()).isEqualTo("idempotency-key-1");
  }

  @Test
  void differingVoteIdAndIdempotencyKeyConflict() {
    assertSingle(seed().withVoteId("idempotency-key-1").withIdempotencyKey("idempotency-key-2"), "voteId", FieldViolation.CONFLICT);
  }

  @Test
  void malformedIdempotencyKeyIsNamedAsTheHeader() {
    assertSingle(seed().withIdempotencyKey("bad key"), "Idempotency-Key", FieldViolation.INVALID_FORMAT);
  }

  @Test
  void unknownFieldsAreRejectedByName() {
    List<FieldViolation> violations = invalid(seed().withUnknownFields(List.of("voteid", "extra")));
    assertThat(violations).extracting(FieldViolation::field).containsExactly("voteid", "extra");
    assertThat(violations).extracting(FieldViolation::code).containsOnly(FieldViolation.UNKNOWN_FIELD);
  }

  @Test
  void generatedIdsAreOnlyMadeForValidVotes() {
    int[] calls = {0};
    VoteValidator counting =
        new VoteValidator(VoteRules.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC), () -> "id-" + ++calls[0]);
    counting.validate(VoteCandidate.of(null, "b", 2000, 1), "http");
    assertThat(calls[0]).isZero();
    counting.validate(seed().withVoteId("my-own-vote-id-01"), "http");
    assertThat(calls[0]).isZero();
    ValidationResult result = counting.validate(seed(), "grpc");
    assertThat(((ValidationResult.Valid) result).vote().voteId()).isEqualTo("id-1");
    assertThat(((ValidationResult.Valid) result).vote().channel()).isEqualTo("grpc");
  }

  @Test
  void standardValidatorGeneratesUuidV7Ids() {
    ValidationResult result = VoteValidator.standard(VoteRules.DEFAULT).validate(seed(), "http");
    String id = ((ValidationResult.Valid) result).vote().voteId();
    assertThat(java.util.UUID.fromString(id).version()).isEqualTo(7);
  }
}
