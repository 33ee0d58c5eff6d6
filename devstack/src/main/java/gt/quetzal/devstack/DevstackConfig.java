package gt.quetzal.devstack;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the local stack keeps its data and which ports it binds. A port of 0 means "pick a free one".
 *
 * @param home data root: Kafka, Redis and the MongoDB stand-in live in its kafka/, redis/ and mongo/
 * @param mongoUri an external MongoDB to use instead of the stand-in, or {@code null}
 */
public record DevstackConfig(
    Path home, int kafkaPort, int kafkaControllerPort, int redisPort, int mongoPort, String mongoUri) {

  public static final String SERVICE = "devstack";

  public DevstackConfig {
    Objects.requireNonNull(home, "home");
  }

  /**
   * Reads QUETZAL_HOME (default {@code .quetzal}), QUETZAL_KAFKA_PORT (9092), QUETZAL_KAFKA_CONTROLLER_PORT
   * (9093), QUETZAL_REDIS_PORT (6379), QUETZAL_MONGO_PORT (27017) and the optional MONGO_URI. Not KAFKA_PORT:
   * Kubernetes injects that name for a Service called kafka.
   *
   * @throws EnvReader.ConfigException naming every bad variable
   */
  public static DevstackConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    Path home = Path.of(env.string("QUETZAL_HOME", ".quetzal"));
    int kafka = env.port("QUETZAL_KAFKA_PORT", 9092);
    int controller = env.port("QUETZAL_KAFKA_CONTROLLER_PORT", 9093);
    int redis = env.port("QUETZAL_REDIS_PORT", 6379);
    int mongo = env.port("QUETZAL_MONGO_PORT", 27017);
    String mongoUri = env.optional("MONGO_URI");
    if (mongoUri != null) {
      mongoUri = env.uri("MONGO_URI", mongoUri, "mongodb", "mongodb+srv").toString();
    }
    Map<String, Integer> named = new LinkedHashMap<>();
    named.put("QUETZAL_KAFKA_PORT", kafka);
    named.put("QUETZAL_KAFKA_CONTROLLER_PORT", controller);
    named.put("QUETZAL_REDIS_PORT", redis);
    if (mongoUri == null) {
      named.put("QUETZAL_MONGO_PORT", mongo);
    }
    Map<Integer, String> seen = new LinkedHashMap<>();
    named.forEach((name, port) -> {
      String other = port == 0 ? null : seen.putIfAbsent(port, name);
      if (other != null) {
        env.problem(other + " and " + name + " are both " + port);
      }
    });
    env.validate(SERVICE);
    return new DevstackConfig(home, kafka, controller, redis, mongo, mongoUri);
  }

  /** The external MongoDB, when MONGO_URI was given; empty means the in-process stand-in. */
  public Optional<String> externalMongoUri() {
    return Optional.ofNullable(mongoUri);
  }

  public Path kafkaDir() {
    return home.resolve("kafka");
  }

  public Path redisDir() {
    return home.resolve("redis");
  }

  public Path mongoDir() {
    return home.resolve("mongo");
  }

  /** Every fixed port this config will bind, in start order, with the service that binds it. */
  public Map<Integer, String> portsToBind() {
    Map<Integer, String> ports = new LinkedHashMap<>();
    putIfFixed(ports, kafkaPort, "Kafka");
    putIfFixed(ports, kafkaControllerPort, "Kafka controller");
    putIfFixed(ports, redisPort, "Redis");
    if (mongoUri == null) {
      putIfFixed(ports, mongoPort, "MongoDB stand-in");
    }
    return ports;
  }

  private static void putIfFixed(Map<Integer, String> ports, int port, String service) {
    if (port != 0) {
      ports.putIfAbsent(port, service);
    }
  }
}
