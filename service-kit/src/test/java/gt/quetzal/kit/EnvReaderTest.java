package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvReaderTest {

  @Test
  void defaultsApplyWhenVariablesAreUnset() {
    EnvReader env = new EnvReader(Map.of());
    assertThat(env.port("PORT", 8080)).isEqualTo(8080);
    assertThat(env.string("HOST", "localhost")).isEqualTo("localhost");
    assertThat(env.bool("FLAG", true)).isTrue();
    env.validate("svc");
  }

  @Test
  void everyBadVariableIsNamedInOneError() {
    EnvReader env =
        new EnvReader(Map.of("PORT", "eighty", "SIZE", "0", "FLAG", "maybe", "URL", "ftp://x"));
    env.port("PORT", 8080);
    env.integer("SIZE", 10, 1, 100);
    env.bool("FLAG", false);
    env.uri("URL", "redis://localhost:6379", "redis", "rediss");
    env.required("MISSING");

    assertThatThrownBy(() -> env.validate("svc"))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("PORT=eighty is not an integer")
        .hasMessageContaining("SIZE=0 is outside 1..100")
        .hasMessageContaining("FLAG=maybe is not a boolean")
        .hasMessageContaining("URL must use one of the schemes redis, rediss")
        .hasMessageContaining("MISSING is required");
  }

  @Test
  void remembersEveryVariableItWasAskedAbout() {
    EnvReader env = new EnvReader(Map.of("A", "1"));
    env.integer("A", 0, 0, 9);
    env.optional("B");
    assertThat(env.consulted()).containsExactly("A", "B");
  }

  @Test
  void blankCountsAsUnset() {
    EnvReader env = new EnvReader(Map.of("PORT", "  "));
    assertThat(env.port("PORT", 9000)).isEqualTo(9000);
    env.validate("svc");
  }
}
