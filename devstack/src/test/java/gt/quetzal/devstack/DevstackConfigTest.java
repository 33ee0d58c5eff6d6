package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevstackConfigTest {

  @Test
  void defaultsFitTheLocalStack() {
    DevstackConfig config = DevstackConfig.fromEnv(Map.of());

    assertThat(config.home()).isEqualTo(Path.of(".quetzal"));
    assertThat(config.kafkaPort()).isEqualTo(9092);
    assertThat(config.kafkaControllerPort()).isEqualTo(9093);
    assertThat(config.redisPort()).isEqualTo(6379);
    assertThat(config.mongoPort()).isEqualTo(27017);
    assertThat(config.externalMongoUri()).isEmpty();
    assertThat(config.kafkaDir()).isEqualTo(Path.of(".quetzal", "kafka"));
    assertThat(config.redisDir()).isEqualTo(Path.of(".quetzal", "redis"));
    assertThat(config.mongoDir()).isEqualTo(Path.of(".quetzal", "mongo"));
    assertThat(config.portsToBind()).containsExactly(
        Map.entry(9092, "Kafka"), Map.entry(9093, "Kafka controller"),
        Map.entry(6379, "Redis"), Map.entry(27017, "MongoDB stand-in"));
  }

  @Test
  void readsOverrides() {
    DevstackConfig config = DevstackConfig.fromEnv(Map.of(
        "QUETZAL_HOME", "/tmp/q",
        "QUETZAL_KAFKA_PORT", "19092",
        "QUETZAL_KAFKA_CONTROLLER_PORT", "19093",
        "QUETZAL_REDIS_PORT", "16379",
        "QUETZAL_MONGO_PORT", "0",
        "MONGO_URI", "mongodb://db.example:27017"));

    assertThat(config.home()).isEqualTo(Path.of("/tmp/q"));
    assertThat(config.kafkaPort()).isEqualTo(19092);
    assertThat(config.kafkaControllerPort()).isEqualTo(19093);
    assertThat(config.redisPort()).isEqualTo(16379);
    assertThat(config.mongoPort()).isZero();
    assertThat(config.externalMongoUri()).contains("mongodb://db.example:27017");
    // An external MongoDB means the stand-in's port is not bound.
    assertThat(config.portsToBind()).containsOnlyKeys(19092, 19093, 16379);
  }

  @Test
  void partitionsAreAsCreatedUnlessAskedAndBounded() {
    assertThat(DevstackConfig.fromEnv(Map.of()).partitions()).isEqualTo(TopicSetup.AS_CREATED);
    assertThat(DevstackConfig.fromEnv(Map.of("QUETZAL_PARTITIONS", "12")).partitions()).isEqualTo(12);
    assertThatThrownBy(() -> DevstackConfig.fromEnv(Map.of("QUETZAL_PARTITIONS", "0")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("QUETZAL_PARTITIONS=0 is outside 1..64");
    assertThatThrownBy(() -> DevstackConfig.fromEnv(Map.of("QUETZAL_PARTITIONS", "twelve")))
        .hasMessageContaining("QUETZAL_PARTITIONS=twelve is not an integer");
  }

  @Test
  void ignoresKubernetesStyleKafkaPort() {
    DevstackConfig config = DevstackConfig.fromEnv(Map.of("KAFKA_PORT", "tcp://10.0.0.1:9092"));

    assertThat(config.kafkaPort()).isEqualTo(9092);
  }

  @Test
  void badPortNamesTheVariable() {
    assertThatThrownBy(() -> DevstackConfig.fromEnv(Map.of("QUETZAL_REDIS_PORT", "redis")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("QUETZAL_REDIS_PORT=redis is not an integer");
    assertThatThrownBy(() -> DevstackConfig.fromEnv(Map.of("QUETZAL_KAFKA_PORT", "70000")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("QUETZAL_KAFKA_PORT=70000 is outside 0..65535");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> DevstackConfig.fromEnv(Map.of(
            "QUETZAL_MONGO_PORT", "-1",
            "MONGO_URI", "http://not-mongo")))
        .isInstanceOfSatisfying(EnvReader.ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("QUETZAL_MONGO_PORT"))
            .anySatisfy(p -> assertThat(p).contains("MONGO_URI")));
  }

  @Test
  void rejectsTwoServicesOnOnePort() {
    assertThatThrownBy(() -> DevstackConfig.fromEnv(Map.of("QUETZAL_REDIS_PORT", "9092")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("QUETZAL_KAFKA_PORT and QUETZAL_REDIS_PORT are both 9092");
  }

  @Test
  void severalZeroPortsAreFine() {
    DevstackConfig config = DevstackConfig.fromEnv(Map.of(
        "QUETZAL_KAFKA_PORT", "0", "QUETZAL_KAFKA_CONTROLLER_PORT", "0",
        "QUETZAL_REDIS_PORT", "0", "QUETZAL_MONGO_PORT", "0"));

    assertThat(config.portsToBind()).isEmpty();
  }
}
