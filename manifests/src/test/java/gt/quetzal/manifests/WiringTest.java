package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every deployment this repository offers is wired: see {@link Wiring} for what that covers. */
class WiringTest {

  static Stream<Rendered> deployments() {
    return Deployments.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void everyDeploymentIsWired(Rendered rendered) {
    assertThat(Wiring.check(rendered)).isEmpty();
  }
}
