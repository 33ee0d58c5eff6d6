package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MongoStoreTest {

  @Test
  void theUriIsReadWithItsDevDefault() {
    EnvReader env = new EnvReader(Map.of());
    assertThat(MongoStore.uri(env)).isEqualTo("mongodb://localhost:27017");
    env.validate("svc");

    EnvReader srv = new EnvReader(Map.of("MONGO_URI", "mongodb+srv://cluster.example/quetzal"));
    assertThat(MongoStore.uri(srv)).isEqualTo("mongodb+srv://cluster.example/quetzal");
    srv.validate("svc");
  }

  @Test
  void anUnparseableUriIsRefusedByNameWithoutItsPassword() {
    EnvReader env = new EnvReader(Map.of("MONGO_URI", "postgres://app:hunter2@db"));
    MongoStore.uri(env);
    EnvReader.ConfigException e = catchThrowableOfType(EnvReader.ConfigException.class, () -> env.validate("svc"));
    assertThat(e.problems()).containsExactly("MONGO_URI is not a valid MongoDB connection string");
    assertThat(e.getMessage()).doesNotContain("hunter2");
  }
}
