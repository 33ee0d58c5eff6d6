package gt.quetzal.bench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/capacity.md shows what ./quetzal capacity computes from the recorded run, so it cannot drift from the program or the run. */
class CapacityDocTest {

  private static final Path DOC = Path.of("..", "docs", "capacity.md");
  private static final Path RECORDED = Path.of("..", "docs", "bench-results");

  private static String computed() {
    Assumptions defaults = Assumptions.defaults();
    return CapacityReport.markdown(MeasuredCosts.read(RECORDED, defaults.skew()), defaults);
  }

  @Test
  void theDocShowsWhatTheProgramComputesFromTheRecordedRun() throws Exception {
    String doc = Files.readString(DOC);
    assertThat(CapacityReport.generatedPart(doc))
        .as("docs/capacity.md between its markers; regenerate with ./quetzal capacity")
        .isEqualTo(computed());
  }

  @Test
  void aChangedFigureOrAMissingMarkerIsNoticed() throws Exception {
    String doc = Files.readString(DOC);
    String wrong = doc.replaceFirst("(\\| partitions [^|]*\\| )(\\d+)", "$1" + "999");
    assertThat(wrong).isNotEqualTo(doc);
    assertThat(CapacityReport.generatedPart(wrong)).isNotEqualTo(computed());
    assertThat(CapacityReport.generatedPart(doc.replace(CapacityReport.END, ""))).isNull();
  }
}
