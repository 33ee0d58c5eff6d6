package gt.quetzal.streams.topology;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.VoteEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RawVoteReaderTest {

  private static final long RECEIVED_2026 = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
  private static final long NOW = 42L;

  @Test
  void integersMayArriveAsStringsAndNamesAreTrimmedAndComposed() {
    String json =
        """
        {"voteId":"v-1","name":"  Malacates Tre\u0301bol Shop ","album":" Haciendo Bulla ",
         "year":"1997","rank":" 87 ","voterId":" ana ","channel":"grpc","receivedAt":%d}
        """
            .formatted(RECEIVED_2026);

    VoteEvent vote = valid("v-1", json);

    assertThat(vote.name()).isEqualTo("Malacates Trébol Shop");
    assertThat(vote.album()).isEqualTo("Haciendo Bulla");
    assertThat(vote.year()).isEqualTo(1997);
    assertThat(vote.rank()).isEqualTo(87);
    assertThat(vote.voterId()).isEqualTo("ana");
    assertThat(vote.channel()).isEqualTo("grpc");
    assertThat(vote.receivedAt()).isEqualTo(RECEIVED_2026);
  }

  @Test
  void blankVoterIdMeansNone() {
    VoteEvent vote = valid("v-1", json("\"voterId\":\"  \","));
    assertThat(vote.voterId()).isNull();
  }

  @Test
  void yearBoundIsNextYearRelativeToReceivedAt() {
    assertThat(valid("v-1", json("", 2027, 50)).year()).isEqualTo(2027);
    assertThat(rejected("v-1", json("", 2028, 50)).detail())
        .isEqualTo("year: must be between 1900 and 2027, was 2028");
    assertThat(valid("v-1", json("", 1900, 50)).year()).isEqualTo(1900);
  }

  @Test
  void rankBoundsAreInclusive() {
    assertThat(valid("v-1", json("", 2000, 1)).rank()).isEqualTo(1);
    assertThat(valid("v-1", json("", 2000, 100)).rank()).isEqualTo(100);
    assertThat(rejected("v-1", json("", 2000, 101)).detail())
        .isEqualTo("rank: must be between 1 and 100, was 101");
  }

  @Test
  void everyFailingFieldIsListed() {
    RejectedVote rejection =
        rejected("v-1", "{\"voteId\":\"v-1\",\"name\":\"\",\"year\":1800,\"rank\":0}");

    assertThat(rejection.reason()).isEqualTo("invalid");
    assertThat(rejection.detail().split("; "))
        .containsExactly(
            "name: must not be blank",
            "album: required",
            "channel: required",
            "receivedAt: required",
            "year: must be at least 1900, was 1800",
            "rank: must be between 1 and 100, was 0");
    assertThat(rejection.voteId()).isEqualTo("v-1");
    assertThat(rejection.rejectedAt()).isEqualTo(NOW);
  }

  @Test
  void ingestsTextAndVoteIdRulesHoldHereToo() {
    assertThat(rejected("v-1", json("").replace("\"Alux Nahual\",\"year\"", "\"Alux\\u200bNahual\",\"year\"")).detail())
        .startsWith("album: must not contain invisible formatting characters");
    assertThat(rejected("v-1", json("").replace("\"name\":\"Alux Nahual\"", "\"name\":\"<b>Alux</b>\"")).detail())
        .startsWith("name: must not contain < or >");
    assertThat(rejected("v-1", json("\"voterId\":\"a\\tb\",")).detail())
        .startsWith("voterId: must not contain control characters");
    assertThat(rejected("v 1", json("").replace("\"voteId\":\"v-1\"", "\"voteId\":\"v 1\"")).detail())
        .startsWith("voteId: must be 1 to 1000 characters");
  }

  @Test
  void aKeyOtherThanTheVoteIdIsRejected() {
    RejectedVote rejection = rejected("other-key", json(""));
    assertThat(rejection.detail()).startsWith("voteId: does not match the record key");
    assertThat(rejection.voteId()).isEqualTo("v-1");

    assertThat(rejected(null, json("")).detail()).startsWith("voteId:");
  }

  @Test
  void trailingGarbageIsUnparseable() {
    RejectedVote rejection = rejected("v-1", json("") + " {\"more\":1}");
    assertThat(rejection.reason()).isEqualTo("unparseable");
  }

  @Test
  void trailingGarbageDetailNamesTheRule() {
    assertThat(rejected("v-1", json("") + " {\"more\":1}").detail())
        .startsWith("value: not valid JSON (Trailing token")
        .contains("FAIL_ON_TRAILING_TOKENS");
    assertThat(rejected("v-1", json("") + " xyz").detail()).startsWith("value: not valid JSON (Unrecognized token 'xyz'");
  }

  @Test
  void aValueThatIsNotOneObjectSaysWhatItIs() {
    assertThat(rejected("k", "[1,2]").detail()).isEqualTo("value: expected a JSON object, got array");
    assertThat(rejected("k", "\"v-1\"").detail()).isEqualTo("value: expected a JSON object, got string");
    assertThat(rejected("k", "87").detail()).isEqualTo("value: expected a JSON object, got number");
    assertThat(rejected("k", "null").detail()).isEqualTo("value: expected a JSON object, got null");
    assertThat(rejected("k", "   ").detail()).isEqualTo("value: expected a JSON object, got nothing");
    assertThat(rejected("k", "{\"voteId\":").detail()).startsWith("value: not valid JSON (Unexpected end-of-input");
  }

  @Test
  void malformedJsonInsideAnUnknownFieldIsStillUnparseable() {
    RejectedVote rejection = rejected("v-1", json("\"extra\":{\"a\":[1,2,},"));
    assertThat(rejection.reason()).isEqualTo("unparseable");
    assertThat(rejection.detail()).startsWith("value: not valid JSON (");
  }

  @Test
  void unknownFieldsOfAnyShapeAreIgnored() {
    VoteEvent vote = valid("v-1", json("\"extra\":{\"rank\":500,\"list\":[{\"year\":1}]},\"flag\":true,\"n\":1.5,"));
    assertThat(vote.rank()).isEqualTo(87);
    assertThat(vote.year()).isEqualTo(1997);
  }

  @Test
  void aRepeatedFieldKeepsItsLastValue() {
    // The first rank would be rejected; a JSON object's later duplicate wins, as in a tree.
    VoteEvent vote = valid("v-1", json("\"rank\":500,\"name\":null,"));
    assertThat(vote.rank()).isEqualTo(87);
    assertThat(vote.name()).isEqualTo("Alux Nahual");
    assertThat(rejected("v-1", json("") .replace("}", ",\"rank\":0}")).detail())
        .isEqualTo("rank: must be between 1 and 100, was 0");
  }

  @Test
  void eachWrongTypeIsNamedPerField() {
    String json =
        """
        {"voteId":"v-1","name":7,"album":["Alux Nahual"],"channel":{"c":1},"receivedAt":1.5e12,
         "year":true,"rank":123456789012345678901234567890,"voterId":false}
        """;
    assertThat(rejected("v-1", json).detail().split("; "))
        .containsExactly(
            "name: must be a string",
            "album: must be a string",
            "channel: must be a string",
            "receivedAt: must be an integer",
            "year: must be an integer",
            "rank: must be an integer",
            "voterId: must be a string");
  }

  @Test
  void nullMeansRequiredAndLongIntegersAreAccepted() {
    String json =
        """
        {"voteId":null,"name":"Alux Nahual","album":"Alux Nahual","channel":"http",
         "receivedAt":%d,"year":"19x7","rank":87,"voterId":null}
        """
            .formatted(RECEIVED_2026);
    assertThat(rejected("v-1", json).detail().split("; "))
        .containsExactly("voteId: required", "year: must be an integer");
  }

  @Test
  void everyTruncationAndByteFlipOfAVoteGetsAVerdictNeverAnException() {
    byte[] whole = json("\"extra\":{\"nested\":[1,\"x\",null]},").getBytes(UTF_8);
    for (int end = 0; end < whole.length - 1; end++) {
      Verdict verdict = RawVoteReader.check("v-1", java.util.Arrays.copyOf(whole, end), NOW);
      // A cut-off object never parses; only a cut inside trailing whitespace could.
      assertThat(verdict).as("prefix of %d bytes", end).isInstanceOf(Verdict.Rejected.class);
    }
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      byte[] mutated = whole.clone();
      mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
      assertThat(RawVoteReader.check("v-1", mutated, NOW)).isNotNull();
    }
  }

  @Test
  void aHugeRawValueIsTruncatedInTheRejection() {
    String huge = "x".repeat(RejectedVote.MAX_RAW_CHARS * 3);
    RejectedVote rejection = rejected("k", huge);
    assertThat(rejection.reason()).isEqualTo("unparseable");
    assertThat(rejection.raw()).hasSize(RejectedVote.MAX_RAW_CHARS + 1);
  }

  @Test
  void anEmptyValueIsUnparseableWithoutRaw() {
    RejectedVote rejection = rejected("k", "");
    assertThat(rejection.reason()).isEqualTo("unparseable");
    assertThat(rejection.detail()).isEqualTo("value: empty record");
    assertThat(rejection.raw()).isNull();
  }

  @Test
  void withACatalogFieldRulesComeFirstThenTheCatalog() {
    gt.quetzal.contract.CatalogIndex catalog =
        gt.quetzal.contract.CatalogIndex.of(
            new gt.quetzal.contract.Catalog(
                "c",
                java.util.List.of(
                    new gt.quetzal.contract.Catalog.Band(
                        "Alux Nahual",
                        java.util.List.of(new gt.quetzal.contract.Catalog.Album("Alux Nahual", 1981))))));

    Verdict badRank = RawVoteReader.check("v-1", json("", 1997, 0).replace("Alux Nahual", "Nadie").getBytes(UTF_8), NOW, catalog);
    assertThat(((Verdict.Rejected) badRank).rejection().reason()).isEqualTo("invalid");

    Verdict unknown = RawVoteReader.check("v-1", json("").replace("Alux Nahual", "Nadie").getBytes(UTF_8), NOW, catalog);
    assertThat(((Verdict.Rejected) unknown).rejection().reason()).isEqualTo("unknown_band");
    assertThat(((Verdict.Rejected) unknown).rejection().rejectedAt()).isEqualTo(NOW);

    Verdict known = RawVoteReader.check("v-1", json("").replace("Alux Nahual", "ALUX nahual").getBytes(UTF_8), NOW, catalog);
    assertThat(((Verdict.Valid) known).vote().name()).isEqualTo("Alux Nahual");
    assertThat(((Verdict.Valid) known).vote().album()).isEqualTo("Alux Nahual");
  }

  @Test
  void rowProblemsApplyTheVoteFieldRulesToATrafficRow() {
    assertThat(RawVoteReader.rowProblems(bytes("{\"name\":\"A\",\"album\":\"B\",\"year\":\"2027\",\"rank\":100}"), 2026))
        .isEmpty();
    assertThat(RawVoteReader.rowProblems(bytes("{\"name\":\" \",\"album\":7,\"year\":\"2028\",\"rank\":\"8.5\"}"), 2026))
        .containsExactly(
            "name: must not be blank",
            "album: must be a string",
            "year: must be between 1900 and 2027, was 2028",
            "rank: must be an integer");
    assertThat(RawVoteReader.rowProblems(bytes("{\"name\":\"A\"}"), 2026))
        .containsExactly("album: required", "year: required", "rank: required");
    assertThat(RawVoteReader.rowProblems(bytes("[1]"), 2026)).singleElement().asString().startsWith("value:");
  }

  private static byte[] bytes(String json) {
    return json.getBytes(UTF_8);
  }

  private static String json(String extra) {
    return json(extra, 1997, 87);
  }

  private static String json(String extra, int year, int rank) {
    return """
        {%s"voteId":"v-1","name":"Alux Nahual","album":"Alux Nahual","year":%d,"rank":%d,
         "channel":"http","receivedAt":%d}
        """
        .formatted(extra, year, rank, RECEIVED_2026);
  }

  private static VoteEvent valid(String key, String json) {
    Verdict verdict = RawVoteReader.check(key, json.getBytes(UTF_8), NOW);
    assertThat(verdict).isInstanceOf(Verdict.Valid.class);
    return ((Verdict.Valid) verdict).vote();
  }

  private static RejectedVote rejected(String key, String json) {
    Verdict verdict = RawVoteReader.check(key, json.getBytes(UTF_8), NOW);
    assertThat(verdict).isInstanceOf(Verdict.Rejected.class);
    return ((Verdict.Rejected) verdict).rejection();
  }
}
