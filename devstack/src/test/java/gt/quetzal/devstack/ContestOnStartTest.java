package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContestOnStartTest {

  private static final Path DEMO = Path.of("..", "config", "catalog.json").toAbsolutePath().normalize();

  @Test
  void neitherVariableAppliesNothing() {
    assertThat(ContestOnStart.fromEnv(Map.of())).isEmpty();
  }

  @Test
  void theDemoCatalogOnlyOnAFreshStack() {
    ContestOnStart contest =
        ContestOnStart.fromEnv(Map.of(ContestOnStart.IF_ABSENT, DEMO.toString())).orElseThrow();
    assertThat(contest.ifAbsent()).isTrue();
    assertThat(contest.catalog().contest()).isEqualTo("Quetzal demo: bandas guatemaltecas");
  }

  @Test
  void noneIsAnOpenContestAppliedEveryTime() {
    ContestOnStart contest = ContestOnStart.fromEnv(Map.of(ContestOnStart.APPLY, "none")).orElseThrow();
    assertThat(contest.catalog()).isNull();
    assertThat(contest.ifAbsent()).isFalse();
  }

  @Test
  void anUnusableCatalogIsRefusedNamingTheVariable(@TempDir Path dir) throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"contest\": ");
    Path ambiguous = Files.writeString(dir.resolve("twice.json"),
        "{\"contest\":\"x\",\"bands\":[{\"name\":\"Band A\",\"albums\":[{\"title\":\"T\",\"year\":2000}]},"
            + "{\"name\":\"band a\",\"albums\":[{\"title\":\"T\",\"year\":2000}]}]}");
    for (Path bad : new Path[] {broken, ambiguous, dir.resolve("missing.json")}) {
      assertThatThrownBy(() -> ContestOnStart.fromEnv(Map.of(ContestOnStart.APPLY, bad.toString())))
          .isInstanceOf(EnvReader.ConfigException.class)
          .hasMessageContaining("QUETZAL_CONTEST: " + bad + " is not a usable catalog");
    }
  }

  @Test
  void bothVariablesAreRefused() {
    assertThatThrownBy(() -> ContestOnStart.fromEnv(
            Map.of(ContestOnStart.APPLY, "none", ContestOnStart.IF_ABSENT, DEMO.toString())))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("QUETZAL_CONTEST and QUETZAL_CONTEST_IF_ABSENT are both set");
  }
}
