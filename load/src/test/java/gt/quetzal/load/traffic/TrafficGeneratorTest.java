package gt.quetzal.load.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.load.traffic.TrafficGenerator.Kind;
import gt.quetzal.load.traffic.TrafficGenerator.Row;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {

  private static final Path CATALOG_FILE = Path.of("..", "config", "catalog.json");
  private final Catalog catalog = Catalog.load(CATALOG_FILE);

  private TrafficOptions options(int votes, double duplicates, double invalid, long seed) {
    return new TrafficOptions(votes, CATALOG_FILE, 1.0, duplicates, invalid, seed, true, Path.of("-"));
  }

  private List<Row> generate(TrafficOptions options) {
    return new TrafficGenerator(catalog, options).generate();
  }

  private static byte[] bytes(List<Row> rows) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TrafficFile.write(TrafficGenerator.votes(rows), out);
    return out.toByteArray();
  }

  @Test
  void theSameSeedGivesTheSameFileAndAnotherSeedAnotherOne() throws Exception {
    byte[] first = bytes(generate(options(2_000, 0.05, 0.05, 11)));
    byte[] again = bytes(generate(options(2_000, 0.05, 0.05, 11)));
    byte[] other = bytes(generate(options(2_000, 0.05, 0.05, 12)));

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void duplicateAndInvalidSharesAreWithinTolerance() {
    int n = 20_000;
    List<Row> rows = generate(options(n, 0.10, 0.05, 3));
    Map<Kind, Integer> counts = new HashMap<>();
    rows.forEach(r -> counts.merge(r.kind(), 1, Integer::sum));

    // Binomial standard deviations are about 0.002 and 0.0015 here; 0.01 is roughly 5 of them.
    assertThat(counts.get(Kind.DUPLICATE) / (double) n).isBetween(0.09, 0.11);
    assertThat(counts.get(Kind.INVALID) / (double) n).isBetween(0.04, 0.06);
    assertThat(rows).hasSize(n);
  }

  @Test
  void zeroRatesGiveOnlyFreshValidVotes() {
    assertThat(generate(options(3_000, 0, 0, 5))).allSatisfy(r -> assertThat(r.kind()).isEqualTo(Kind.VALID));
  }

  @Test
  void aRepeatCopiesAnEarlierValidVoteIdIncludedAndEveryOtherIdIsUnique() {
    List<Row> rows = generate(options(5_000, 0.2, 0.1, 8));
    Map<String, Map<String, String>> earlierValid = new HashMap<>();
    Set<String> freshIds = new HashSet<>();
    int repeats = 0;
    for (Row row : rows) {
      String id = row.vote().get("voteId");
      assertThat(id).matches("[A-Za-z0-9._:-]{1,100}");
      if (row.kind() == Kind.DUPLICATE) {
        repeats++;
        assertThat(earlierValid).containsKey(id);
        assertThat(row.vote()).isEqualTo(earlierValid.get(id));
      } else {
        assertThat(freshIds.add(id)).as("fresh id %s used twice", id).isTrue();
        if (row.kind() == Kind.VALID) {
          earlierValid.put(id, row.vote());
        }
      }
    }
    assertThat(repeats).isPositive();
  }

  @Test
  void validRowsFollowEveryRuleAndInvalidRowsBreakOneWithEveryFlawRepresented() {
    List<Row> rows = generate(options(10_000, 0.02, 0.2, 21));
    Set<Flaw> seen = EnumSet.noneOf(Flaw.class);
    for (Row row : rows) {
      List<String> broken = brokenRules(row.vote());
      if (row.kind() == Kind.INVALID) {
        assertThat(broken).as("invalid row %s (%s)", row.vote(), row.flaw()).hasSize(1);
        seen.add(row.flaw());
      } else {
        assertThat(broken).as("valid row %s", row.vote()).isEmpty();
      }
    }
    assertThat(seen).containsExactlyInAnyOrder(Flaw.values());
  }

  @Test
  void theFileIsAJsonArrayOfSeedFormatVotesWithStringFieldsAndUnescapedAccents() throws Exception {
    List<Row> rows = generate(options(500, 0.05, 0.05, 2));
    byte[] bytes = bytes(rows);
    String text = new String(bytes, StandardCharsets.UTF_8);

    JsonNode root = Json.MAPPER.readTree(bytes);
    assertThat(root.isArray()).isTrue();
    assertThat(root.size()).isEqualTo(500);
    for (JsonNode vote : root) {
      assertThat(vote.isObject()).isTrue();
      for (Iterator<Map.Entry<String, JsonNode>> it = vote.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        assertThat(field.getKey()).isIn("name", "album", "year", "rank", "voteId");
        assertThat(field.getValue().isTextual()).as("field %s of %s", field.getKey(), vote).isTrue();
      }
    }
    assertThat(text).contains("Trébol").doesNotContain("\\u00e9");
    assertThat(text.lines().count()).as("one vote per line plus the brackets").isEqualTo(502);
    assertThat(TrafficFile.read(writeTemp(bytes))).isEqualTo(TrafficGenerator.votes(rows));
  }

  @Test
  void withoutIdsRowsHaveJustTheFourSeedFields() {
    TrafficOptions noIds = new TrafficOptions(300, CATALOG_FILE, 1.0, 0, 0, 4, false, Path.of("-"));
    assertThat(new TrafficGenerator(catalog, noIds).generate())
        .allSatisfy(r -> assertThat(r.vote()).containsOnlyKeys("name", "album", "year", "rank"));
  }

  @Test
  void optionsNameEveryProblemAtOnce() {
    assertThatThrownBy(() -> TrafficOptions.parse("--votes", "0", "--duplicates", "2", "--bogus", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option --bogus");
    assertThatThrownBy(() -> TrafficOptions.parse("--votes", "0", "--invalid", "-1"))
        .hasMessageContaining("--votes must be at least 1")
        .hasMessageContaining("--invalid must be between 0 and 1");
    assertThatThrownBy(() -> TrafficOptions.parse("--no-ids", "--duplicates", "0.1")).hasMessageContaining("--no-ids");
    assertThatThrownBy(() -> TrafficOptions.parse("--skew", "lots")).hasMessageContaining("--skew expects a number");

    TrafficOptions parsed = TrafficOptions.parse("--votes=20", "--seed", "9", "--duplicates", "0", "--no-ids", "--out", "x.json");
    assertThat(parsed.votes()).isEqualTo(20);
    assertThat(parsed.seed()).isEqualTo(9);
    assertThat(parsed.voteIds()).isFalse();
    assertThat(parsed.out()).isEqualTo(Path.of("x.json"));
    assertThat(parsed.invalidRate()).isEqualTo(TrafficOptions.DEFAULT_INVALID_RATE);
  }

  @Test
  void theShippedTrafficFileIsTheDefaultOutputWithTheSeedsThousandVotes() throws Exception {
    TrafficOptions defaults = TrafficOptions.defaults();
    List<Row> rows =
        new TrafficGenerator(
                catalog,
                new TrafficOptions(
                    defaults.votes(), CATALOG_FILE, defaults.skew(), defaults.duplicateRate(),
                    defaults.invalidRate(), defaults.seed(), true, Path.of("-")))
            .generate();

    assertThat(Files.readAllBytes(Path.of("traffic.json")))
        .as("load/traffic.json is stale: regenerate it with the command in docs/load.md")
        .isEqualTo(bytes(rows));
    assertThat(rows).hasSize(1_000);
    assertThat(rows).anyMatch(r -> r.flaw() != null && r.flaw().gate() == Flaw.Gate.STREAMS);
    assertThat(rows).anyMatch(r -> r.flaw() != null && r.flaw().gate() == Flaw.Gate.INGEST);
    assertThat(rows).anyMatch(r -> r.kind() == Kind.DUPLICATE);
  }

  private static Path writeTemp(byte[] bytes) throws Exception {
    Path file = Files.createTempFile("traffic", ".json");
    file.toFile().deleteOnExit();
    return Files.write(file, bytes);
  }

  /** The rules a vote must pass at ingest and in the streams app, written independently of both. */
  private List<String> brokenRules(Map<String, String> vote) {
    List<String> broken = new java.util.ArrayList<>();
    String name = vote.get("name");
    String album = vote.get("album");
    if (name == null || name.isBlank()) {
      broken.add("name");
    }
    if (album == null || album.isBlank()) {
      broken.add("album");
    }
    if (!integerIn(vote.get("year"), 1900, java.time.Year.now().getValue() + 1)) {
      broken.add("year");
    }
    if (!integerIn(vote.get("rank"), 1, 100)) {
      broken.add("rank");
    }
    if (name != null && !name.isBlank() && album != null && !album.isBlank()) {
      Catalog.Band band = catalog.bands().stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
      if (band == null) {
        broken.add("unknown band");
      } else if (band.albums().stream().noneMatch(a -> a.title().equals(album))) {
        broken.add("unknown album");
      }
    }
    return broken;
  }

  private static boolean integerIn(String text, int min, int max) {
    if (text == null || !text.matches("[0-9]+")) {
      return false;
    }
    long value = Long.parseLong(text);
    return value >= min && value <= max;
  }
}
