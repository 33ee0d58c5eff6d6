package gt.quetzal.bench.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The targets table from a fixture set of results (every ratio worked out by hand in expected.md), and
 * docs/benchmarks.md held to the set recorded in docs/bench-results/all.
 */
class TargetsTableTest {

  private static final Path FIXTURE = Path.of("src", "test", "resources", "targets");
  private static final Path DOC = Path.of("..", "docs", "benchmarks.md");
  private static final String RECORDED = "docs/bench-results/all";

  @Test
  void theTableFromTheFixtureIsExactlyTheExpectedOne() throws Exception {
    assertThat(TargetsTable.markdown(FIXTURE, "fixture")).isEqualTo(Files.readString(FIXTURE.resolve("expected.md")));
  }

  @Test
  void aFigureThatCrossesItsTargetFlipsTheVerdict(@TempDir Path dir) throws Exception {
    copyFixture(dir);
    Path ingest = dir.resolve("ingest.json");
    // grpc-stream from 89% to 90% of the median run (400,000): missed becomes met.
    Files.writeString(ingest, Files.readString(ingest).replace("356000.0", "360000.0"));
    assertThat(TargetsTable.markdown(dir, "fixture"))
        .contains("| 360,000 votes/s = **90%** | met |")
        .isNotEqualTo(Files.readString(FIXTURE.resolve("expected.md")));
  }

  @Test
  void aMissingBenchReadsNotMeasured(@TempDir Path dir) throws Exception {
    copyFixture(dir);
    Files.delete(dir.resolve("stack.json"));
    Files.delete(dir.resolve("streams.json"));
    String table = TargetsTable.markdown(dir, "fixture");
    assertThat(table).contains("| `./quetzal up` ready ≤ 10 s |  | not measured by bench all |  |  |");
    assertThat(table).contains("| floor-copy: not measured | not measured |  |  |");
    assertThat(table).doesNotContain("RSS at 5k votes/s");
  }

  @Test
  void theReadyRowSaysWhichStartWasTimed(@TempDir Path dir) throws Exception {
    copyFixture(dir);
    Path stack = dir.resolve("stack.json");
    String all = Files.readString(stack);
    Files.writeString(stack, all.replace("\"cdsMapped\" : 6", "\"cdsMapped\" : 0"));
    assertThat(TargetsTable.markdown(dir, "fixture"))
        .contains("| the launcher's `ready in` line, build current, a first start: no class-data archives | **9.4 s** |");
    Files.writeString(stack, all.replace("\"cdsMapped\" : 6", "\"cdsMapped\" : 4"));
    assertThat(TargetsTable.markdown(dir, "fixture")).contains("build current, 4 of 6 JVMs from class-data archives |");
    Files.writeString(stack, all.replace(", \"cdsMapped\" : 6, \"jvms\" : 6", ""));
    assertThat(TargetsTable.markdown(dir, "fixture")).contains("build current, class-data archives not recorded |");
  }

  @Test
  void theStreamsRatioIsTheMedianOfTheRoundsEachAgainstItsOwnFloorCopy() {
    // Rounds: 80/200 = 40%, 60/200 = 30%, 90/180 = 50%; the median is 40%, not 230/580 overall.
    assertThat(TargetsTable.markdown(FIXTURE, "fixture"))
        .contains("| **40%** (median of 3 rounds; app peak RSS 390 MiB) | met |");
    assertThat(TargetsTable.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(TargetsTable.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
  }

  @Test
  void theTableGoesBetweenTheMarkersAndNowhereElse() {
    String doc = "# T\n\ntext\n" + TargetsTable.BEGIN + "\nold\n" + TargetsTable.END + "\nrest\n";
    String replaced = TargetsTable.replaceGenerated(doc, "| new |\n");
    assertThat(replaced).isEqualTo("# T\n\ntext\n" + TargetsTable.BEGIN + "\n| new |\n" + TargetsTable.END + "\nrest\n");
    assertThat(TargetsTable.generatedPart(replaced)).isEqualTo("| new |\n");
    assertThatThrownBy(() -> TargetsTable.replaceGenerated("# no markers\n", "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void docsBenchmarksShowsTheTableOfTheRecordedSet() throws Exception {
    String doc = Files.readString(DOC);
    assertThat(TargetsTable.generatedPart(doc))
        .as("docs/benchmarks.md between its targets markers; regenerate with ./quetzal bench table")
        .isEqualTo(TargetsTable.markdown(Path.of("..").resolve(RECORDED), RECORDED));
    // A changed figure in the page is caught.
    String wrong = doc.replaceFirst("\\*\\*(\\d+)%\\*\\*", "**999%**");
    assertThat(TargetsTable.generatedPart(wrong)).isNotEqualTo(TargetsTable.markdown(Path.of("..").resolve(RECORDED), RECORDED));
  }

  private static void copyFixture(Path dir) throws Exception {
    for (String name : List.of("ingest.json", "streams.json", "sinks.json", "stack.json", "expected.md")) {
      Files.copy(FIXTURE.resolve(name), dir.resolve(name));
    }
  }
}
