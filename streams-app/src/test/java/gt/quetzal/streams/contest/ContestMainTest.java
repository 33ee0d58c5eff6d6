package gt.quetzal.streams.contest;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contest tool's words and answers that need no broker. */
class ContestMainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return ContestMain.run(
        args,
        Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:1"),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void fromTrafficPrintsACatalogThatLoadsAndListsUnusableRowsOnStderr(@TempDir Path dir) throws Exception {
    Path traffic = dir.resolve("students.json");
    Files.writeString(
        traffic,
        """
        [{"name":"Band A","album":"X","year":"2001","rank":"5"},
         {"name":"band a ","album":"Y","year":"2002","rank":"6"},
         {"name":"Band B","album":"X","year":"2003","rank":"7"},
         {"name":"","album":"X","year":"2003","rank":"7"}]
        """);

    assertThat(run("from-traffic", traffic.toString(), "--name", "Clase 2026")).isZero();

    Catalog catalog = Json.MAPPER.readValue(out.toByteArray(), Catalog.class);
    assertThat(catalog.contest()).isEqualTo("Clase 2026");
    assertThat(catalog.bands()).extracting(Catalog.Band::name).containsExactly("Band A", "Band B");
    assertThat(catalog.bands().get(0).albums()).extracting(Catalog.Album::title).containsExactly("X", "Y");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("row 3 not used").contains("name");
  }

  @Test
  void aMissingCatalogFileIsRefusedBeforeKafkaIsAsked(@TempDir Path dir) throws Exception {
    assertThat(run("apply", dir.resolve("nope.json").toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope.json is not a usable catalog");
  }

  @Test
  void wrongWordsPrintTheUsage() {
    assertThat(run("apply")).isEqualTo(2);
    assertThat(run("apply", "a.json", "b.json")).isEqualTo(2);
    assertThat(run("remove", "x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: contest apply FILE|none");
  }
}
