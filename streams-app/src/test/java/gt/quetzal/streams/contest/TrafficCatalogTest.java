package gt.quetzal.streams.contest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.streams.contest.TrafficCatalog.Result;
import gt.quetzal.streams.contest.TrafficCatalog.RowProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TrafficCatalogTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final int YEAR = 2026;

  @Test
  void crossedAlbumsAreOneAlbumPerBandInFirstSeenOrder() {
    Result result =
        derive(
            """
            [
              {"name":"Band A","album":"Album X","year":"2001","rank":"5"},
              {"name":"Band B","album":"Album X","year":"1999","rank":"7"},
              {"name":"Band B","album":"Album Y","year":"2004","rank":"9"},
              {"name":"Band A","album":"Album Y","year":"2004","rank":"1"},
              {"name":"Band A","album":"Album X","year":"2001","rank":"100"}
            ]
            """);

    assertThat(result.problems()).isEmpty();
    assertThat(result.catalog().contest()).isEqualTo("Seed contest");
    assertThat(result.catalog().bands())
        .containsExactly(
            new Catalog.Band("Band A", List.of(new Catalog.Album("Album X", 2001), new Catalog.Album("Album Y", 2004))),
            new Catalog.Band("Band B", List.of(new Catalog.Album("Album X", 1999), new Catalog.Album("Album Y", 2004))));
  }

  @Test
  void spellingsThatFoldTogetherAreOneNameWithTheFirstSpellingTrimmed() {
    // "Tre\u0301bol" is Trébol with a combining accent: NFC makes it the precomposed one.
    Result result =
        derive(
            """
            [
              {"name":"  Malacates Trébol Shop ","album":"Resaca","year":2002,"rank":33},
              {"name":"MALACATES TREBOL SHOP","album":"Resaca","year":2002,"rank":33},
              {"name":"malacates  tre\u0301bol shop","album":" RESACA","year":"2002","rank":"1"},
              {"name":"Malacates Trébol Shop","album":"resaca ","year":"2002","rank":"2"}
            ]
            """);

    assertThat(result.problems()).isEmpty();
    // Accents are never stripped: "TREBOL" is a band of its own.
    assertThat(result.catalog().bands())
        .containsExactly(
            new Catalog.Band("Malacates Trébol Shop", List.of(new Catalog.Album("Resaca", 2002))),
            new Catalog.Band("MALACATES TREBOL SHOP", List.of(new Catalog.Album("Resaca", 2002))));
  }

  @Test
  void anAlbumTakesTheYearMostRowsGiveAndTheFirstSeenOnATie() {
    Result result =
        derive(
            """
            [
              {"name":"B","album":"Majority","year":"1990","rank":"1"},
              {"name":"B","album":"Majority","year":"1991","rank":"1"},
              {"name":"B","album":"Majority","year":"1991","rank":"1"},
              {"name":"B","album":"Tie","year":"2010","rank":"1"},
              {"name":"B","album":"Tie","year":"2000","rank":"1"}
            ]
            """);

    assertThat(result.catalog().bands().get(0).albums())
        .containsExactly(new Catalog.Album("Majority", 1991), new Catalog.Album("Tie", 2010));
    assertThat(result.problems()).as("a disagreeing year is still a countable vote").isEmpty();
  }

  @Test
  void rowsItCannotUseAreReportedByIndexWithEveryReason() {
    Result result =
        derive(
            """
            [
              "Band A",
              {"album":"X","year":"2001","rank":"5"},
              {"name":"   ","album":"X","year":"2001","rank":"5"},
              {"name":12,"album":"","year":"1850","rank":"101"},
              {"name":"Band A","album":"X","year":"2028","rank":"ninety"},
              {"name":"Band A","album":"X","year":"2027","rank":"5"},
              null
            ]
            """);

    assertThat(result.problems())
        .containsExactly(
            new RowProblem(0, "not a JSON object but a string"),
            new RowProblem(1, "name: required"),
            new RowProblem(2, "name: must not be blank"),
            new RowProblem(3, "name: must be a string; album: must not be blank; year: must be between 1900 and 2027, was 1850;"
                + " rank: must be between 1 and 100, was 101"),
            new RowProblem(4, "year: must be between 1900 and 2027, was 2028; rank: must be an integer"),
            new RowProblem(6, "not a JSON object but null"));
    // Only row 5 was used.
    assertThat(result.catalog().bands()).containsExactly(new Catalog.Band("Band A", List.of(new Catalog.Album("X", 2027))));
  }

  @Test
  void aFileThatIsNotAnArrayOrHasNoUsableRowIsRefusedClearly() {
    assertThatThrownBy(() -> derive("{\"name\":\"Band A\"}")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON array").hasMessageContaining("not an object");
    assertThatThrownBy(() -> derive("[{\"name\":")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> derive("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an empty file");
    assertThatThrownBy(() -> derive("[]")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no usable row among 0");
    assertThatThrownBy(() -> derive("[{\"name\":\"A\",\"album\":\"\",\"year\":\"2001\",\"rank\":\"5\"}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no usable row among 1, so no band for a catalog; row 0: album: must not be blank");
  }

  @Test
  void renderIsTheDemoCatalogsLayoutAndReadsBack() throws Exception {
    Path demo = REPO.resolve("config/catalog.json");
    Catalog catalog = Catalog.load(demo);
    // The demo file carries a "note" the record does not keep; otherwise the text must be identical.
    String expected =
        Files.readAllLines(demo, UTF_8).stream().filter(line -> !line.startsWith("  \"note\":")).collect(Collectors.joining("\n", "", "\n"));

    String rendered = catalog.render();

    assertThat(rendered).isEqualTo(expected).contains("Trébol");
    assertThat(Json.MAPPER.readValue(rendered.getBytes(UTF_8), Catalog.class)).isEqualTo(catalog);
  }

  @Test
  void aDerivedCatalogRoundTripsThroughItsJson() throws Exception {
    Catalog derived =
        derive("[{\"name\":\"Band \\\"Q\\\" Ñandú\",\"album\":\"Línea\\\\1\",\"year\":\"2001\",\"rank\":\"5\"}]").catalog();

    Catalog read = Json.MAPPER.readValue(derived.render().getBytes(UTF_8), Catalog.class);

    assertThat(read).isEqualTo(derived);
    assertThat(read.bands().get(0).name()).isEqualTo("Band \"Q\" Ñandú");
  }

  @Test
  void theRepositorysTrafficGivesTheDemoCatalogPlusItsDeliberateMisfits() throws Exception {
    Catalog demo = Catalog.load(REPO.resolve("config/catalog.json"));
    Result result = TrafficCatalog.derive(Files.readAllBytes(REPO.resolve("load/traffic.json")), demo.contest(), YEAR);

    // The generator's 35 rows ingest refuses (docs/load.md) are the rows left out, each with its reason.
    assertThat(result.problems()).hasSize(35);
    assertThat(result.problems()).startsWith(new RowProblem(4, "album: must not be blank"));
    assertThat(result.problems()).allSatisfy(problem -> assertThat(problem.reason()).matches("(name|album|year|rank): .+"));

    // Every band and album of the demo catalog, with its year, and nothing else but the 12 catalog
    // misfits the generator wrote on purpose (well-formed votes the catalog refuses downstream).
    Map<String, Map<String, Integer>> derived = byName(result.catalog());
    Map<String, Map<String, Integer>> expected = byName(demo);
    expected.computeIfAbsent("Trébol Fantasma", b -> new LinkedHashMap<>()).putAll(Map.of("Ska Chapín", 2006, "Centuria", 1987));
    expected.computeIfAbsent("Banda Inexistente", b -> new LinkedHashMap<>()).putAll(Map.of("Alux Nahual", 1981, "Centuria", 1987));
    expected.computeIfAbsent("Quetzales de Cartón", b -> new LinkedHashMap<>()).put("Centuria", 1987);
    expected.get("Bohemia Suburbana").put("Grabación Pirata", 2002);
    expected.get("Viernes Verde").putAll(Map.of("Lado Z", 2004, "Disco Perdido", 2010));
    expected.get("Alux Nahual").putAll(Map.of("Grabación Pirata", 1985, "Lado Z", 1985)); // Lado Z: 1985 and 1981 tie; 1985 came first
    assertThat(derived).isEqualTo(expected);
  }

  private static Map<String, Map<String, Integer>> byName(Catalog catalog) {
    Map<String, Map<String, Integer>> bands = new LinkedHashMap<>();
    for (Catalog.Band band : catalog.bands()) {
      Map<String, Integer> albums = new LinkedHashMap<>();
      band.albums().forEach(album -> albums.put(album.title(), album.year()));
      bands.put(band.name(), albums);
    }
    return bands;
  }

  private static Result derive(String json) {
    return TrafficCatalog.derive(json.getBytes(UTF_8), "Seed contest", YEAR);
  }
}
