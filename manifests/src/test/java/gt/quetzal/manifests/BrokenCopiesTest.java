package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proof that the wiring checks can fail: each row of the table ({@link PodBreaks}, {@link WiringBreaks})
 * breaks one thing in a copy of a rendered deployment, the way a careless edit would, and expects its
 * exact problems. {@link ProblemCoverageTest} fails when a problem the checks can report has no row.
 */
class BrokenCopiesTest {

  static Stream<Breaks> rows() {
    return Stream.concat(PodBreaks.ROWS.stream(), WiringBreaks.ROWS.stream());
  }

  @ParameterizedTest(name = "unbroken {0}")
  @EnumSource(Breaks.Base.class)
  void theUnbrokenCopyHasNoProblem(Breaks.Base base) {
    assertThat(new Breaks("unbroken", base, docs -> {}, List.of()).problems()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void eachBreakIsReportedWithItsExactMessage(Breaks row) {
    List<String> problems = row.problems();
    for (String expected : row.reported()) {
      if (Breaks.isPrefix(expected)) {
        String prefix = expected.substring(0, expected.length() - 1);
        assertThat(problems).as(row.name()).anySatisfy(p -> assertThat(p).startsWith(prefix));
      } else {
        assertThat(problems).as(row.name()).contains(expected);
      }
    }
  }

  @Test
  void aLiteralPasswordIsNeverEchoed() {
    Breaks row = rows().filter(r -> r.name().equals("a store URL with a literal password")).findFirst().orElseThrow();
    assertThat(row.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).doesNotContain("hunter2"));
  }

  @Test
  void aMisspelledFieldIsCaughtByTheParse() {
    // A parse problem (Typed), not a problem() of Wiring, so it is no row of the table.
    Breaks row = new Breaks("misspelled field", Breaks.Base.LOCAL, docs -> {
      var c = Breaks.container(docs, "Deployment", "sinks");
      c.put("imagePulPolicy", c.remove("imagePullPolicy"));
    }, List.of());
    assertThat(row.problems()).anySatisfy(p -> assertThat(p).contains("unknown field spec.template.spec.containers[0].imagePulPolicy"));
  }

  @Test
  void rowNamesAreUnique() {
    assertThat(rows().map(Breaks::name).distinct().count()).isEqualTo(rows().count());
  }
}
