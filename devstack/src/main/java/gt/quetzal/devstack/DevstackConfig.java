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
 * @param brokers  Kafka nodes; with more than one, node {@code i} takes the Kafka ports plus {@code 2i}
 * @param partitions partitions of the topics keyed per vote, band, album or minute ({@link TopicSetup#plan});
 *     {@link TopicSetup#AS_CREATED}: whatever the stack's topics have, {@link TopicSetup#DEFAULT_PARTITIONS}
 *     for a new stack
 */
public record DevstackConfig(
    Path home, int kafkaPort, int kafkaControllerPort, int redisPort, int mongoPort, String mongoUri, int brokers,
    int partitions) {

  public static final String SERVICE = "devstack";
  /** The most brokers the local stack runs; three is what the prod overlay runs. */
  public static final int MAX_BROKERS = 5;

  public DevstackConfig {
    Objects.requireNonNull(home, "home");
    if (brokers < 1 || brokers > MAX_BROKERS) {
      throw new IllegalArgumentException("brokers must be 1 to " + MAX_BROKERS + ", was " + brokers);
    }
    if (partitions != TopicSetup.AS_CREATED && (partitions < 1 || partitions > TopicSetup.MAX_PARTITIONS)) {
      throw new IllegalArgumentException(
          "partitions must be 1 to " + TopicSetup.MAX_PARTITIONS + ", was " + partitions);
    }
  }

  /** A stack with one Kafka broker, keeping the partition count its topics were created with. */
  public DevstackConfig(Path home, int kafkaPort, int kafkaControllerPort, int redisPort, int mongoPort, String mongoUri) {
    this(home, kafkaPort, kafkaControllerPort, redisPort, mongoPort, mongoUri, 1, TopicSetup.AS_CREATED);
  }

  /**
   * Reads QUETZAL_HOME (default {@code .quetzal}), QUETZAL_KAFKA_PORT (9092), QUETZAL_KAFKA_CONTROLLER_PORT
   * (9093), QUETZAL_KAFKA_BROKERS (1), QUETZAL_PARTITIONS (unset: as the stack's topics were created, 3 for a
   * new stack), QUETZAL_REDIS_PORT (6379), QUETZAL_MONGO_PORT (27017) and the
   * optional MONGO_URI. Not KAFKA_PORT:
   * Kubernetes injects that name for a Service called kafka.
   *
   * @throws EnvReader.ConfigException naming every bad variable
   */
  public static DevstackConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    Path home = Path.of(env.string("QUETZAL_HOME", ".quetzal"));
    int kafka = env.port("QUETZAL_KAFKA_PORT", 9092);
    int controller = env.port("QUETZAL_KAFKA_CONTROLLER_PORT", 9093);
    int brokers = env.integer("QUETZAL_KAFKA_BROKERS", 1, 1, MAX_BROKERS);
    int partitions = env.integer("QUETZAL_PARTITIONS", TopicSetup.AS_CREATED, 1, TopicSetup.MAX_PARTITIONS);
    int redis = env.port("QUETZAL_REDIS_PORT", 6379);
    int mongo = env.port("QUETZAL_MONGO_PORT", 27017);
    String mongoUri = env.optional("MONGO_URI");
    if (mongoUri != null) {
      mongoUri = env.uri("MONGO_URI", mongoUri, "mongodb", "mongodb+srv").toString();
    }
    Map<String, Integer> named = new LinkedHashMap<>();
    for (int i = 0; i < brokers; i++) {
      String node = i == 0 ? "" : " (broker " + (i + 1) + ": +" + 2 * i + ")";
      named.put("QUETZAL_KAFKA_PORT" + node, kafka == 0 ? 0 : kafka + 2 * i);
      named.put("QUETZAL_KAFKA_CONTROLLER_PORT" + node, controller == 0 ? 0 : controller + 2 * i);
    }
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
    return new DevstackConfig(home, kafka, controller, redis, mongo, mongoUri, brokers, partitions);
  }

  /** The external MongoDB, when MONGO_URI was given; empty means the in-process stand-in. */
  public Optional<String> externalMongoUri() {
    return Optional.ofNullable(mongoUri);
  }

  /** One broker keeps its data in kafka/; a cluster of N in kafka-N/, so the two never mix. */
  public Path kafkaDir() {
    return home.resolve(brokers == 1 ? "kafka" : "kafka-" + brokers);
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
    for (int i = 0; i < brokers; i++) {
      String node = brokers == 1 ? "" : " " + (i + 1);
      putIfFixed(ports, kafkaPort == 0 ? 0 : kafkaPort + 2 * i, "Kafka" + node);
      putIfFixed(ports, kafkaControllerPort == 0 ? 0 : kafkaControllerPort + 2 * i, "Kafka controller" + node);
    }
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
