package gt.quetzal.devstack;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.ContestApply;
import org.apache.kafka.clients.CommonClientConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole local infrastructure: a KRaft Kafka broker with the project's topics, Redis, and MongoDB
 * (the in-process stand-in unless an external MONGO_URI is configured). Closing stops them in reverse order.
 *
 * <pre>{@code
 * try (Devstack stack = Devstack.startEphemeral()) {
 *   stack.bootstrapServers(); // "localhost:NNNN"
 * }
 * }</pre>
 */
public final class Devstack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Devstack.class);

  private final Path home;
  private final boolean ephemeral;
  private final KafkaCluster kafka;
  private final RedisServer redis;
  private final MongoStandIn mongoStandIn;
  private final String mongoUri;
  private final int partitions;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Devstack(
      Path home, boolean ephemeral, KafkaCluster kafka, RedisServer redis, MongoStandIn mongoStandIn, String mongoUri,
      int partitions) {
    this.partitions = partitions;
    this.home = home;
    this.ephemeral = ephemeral;
    this.kafka = kafka;
    this.redis = redis;
    this.mongoStandIn = mongoStandIn;
    this.mongoUri = mongoUri;
  }

  /**
   * For tests: a fresh temp directory (deleted on close), free ports, Redis without persistence, the MongoDB
   * stand-in in memory, topics created. MONGO_URI is ignored so every test starts from empty stores.
   */
  public static Devstack startEphemeral() {
    return startEphemeral(1);
  }

  /** As {@link #startEphemeral()}, with {@code brokers} Kafka nodes on free ports. */
  public static Devstack startEphemeral(int brokers) {
    return startEphemeral(brokers, TopicSetup.DEFAULT_PARTITIONS);
  }

  /** As {@link #startEphemeral(int)}, the scaled topics with {@code partitions} each ({@link TopicSetup#plan}). */
  public static Devstack startEphemeral(int brokers, int partitions) {
    Path temp;
    try {
      temp = Files.createTempDirectory("quetzal-devstack-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir for the devstack", e);
    }
    try {
      return start(new DevstackConfig(temp, 0, 0, 0, 0, null, brokers, partitions), true);
    } catch (RuntimeException e) {
      deleteRecursively(temp);
      throw e;
    }
  }

  /** Persistent stack under {@code config.home()}: a later start on the same home keeps all data. */
  public static Devstack start(DevstackConfig config) {
    return start(config, false);
  }

  private static Devstack start(DevstackConfig config, boolean ephemeral) {
    List<AutoCloseable> started = new ArrayList<>();
    try {
      KafkaCluster kafka =
          config.brokers() == 1
              ? KafkaCluster.single(config.kafkaDir(), config.kafkaPort(), config.kafkaControllerPort())
              : KafkaCluster.start(
                  config.kafkaDir(), config.brokers(), config.kafkaPort(), config.kafkaControllerPort());
      started.add(kafka);
      int partitions = TopicSetup.createAll(kafka.bootstrapServers(), kafka.replicationFactor(), config.partitions());
      RedisServer redis = RedisServer.start(config.redisPort(), config.redisDir(), !ephemeral);
      started.add(redis);
      MongoStandIn standIn = null;
      String mongoUri = config.mongoUri();
      if (mongoUri == null) {
        standIn = ephemeral
            ? MongoStandIn.startInMemory(config.mongoPort())
            : MongoStandIn.startPersistent(config.mongoPort(), config.mongoDir());
        started.add(standIn);
        mongoUri = standIn.uri();
      } else {
        log.info("Using the external MongoDB from MONGO_URI; no stand-in started");
      }
      return new Devstack(config.home().toAbsolutePath(), ephemeral, kafka, redis, standIn, mongoUri, partitions);
    } catch (RuntimeException e) {
      closeInReverse(started, e);
      throw e;
    }
  }

  /** {@code localhost:PORT} of each Kafka broker, comma-separated. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** Partitions of the scaled topics ({@link TopicSetup#SCALED}), as created now or before. */
  public int partitions() {
    return partitions;
  }

  /**
   * Makes {@code contest.catalog} say this contest, as {@code ./quetzal contest apply} does.
   *
   * @param catalog the catalog to run, or {@code null} for an open contest
   */
  public void applyContest(Catalog catalog) {
    applyContest(catalog, false);
  }

  /**
   * As {@link #applyContest(Catalog)}; with {@code ifAbsent}, only when no contest was ever applied.
   *
   * @return what it did ({@link ContestApply#apply})
   */
  public String applyContest(Catalog catalog, boolean ifAbsent) {
    Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try {
      return ContestApply.apply(client, catalog, ifAbsent, Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while applying the contest", e);
    }
  }

  /** {@code redis://localhost:PORT}. */
  public String redisUrl() {
    return redis.url();
  }

  /** {@code mongodb://localhost:PORT} of the stand-in, or the configured MONGO_URI. */
  public String mongoUri() {
    return mongoUri;
  }

  /** The first (with one broker, the only) Kafka node. */
  public KafkaBroker kafkaBroker() {
    return kafka.node(0);
  }

  public KafkaCluster kafkaCluster() {
    return kafka;
  }

  public RedisServer redisServer() {
    return redis;
  }

  /** The in-process MongoDB stand-in; empty when an external MONGO_URI is used. */
  public Optional<MongoStandIn> mongoStandIn() {
    return Optional.ofNullable(mongoStandIn);
  }

  /** The data root (a temp dir for {@link #startEphemeral}). */
  public Path home() {
    return home;
  }

  /** Stops MongoDB stand-in, Redis, then Kafka; an ephemeral stack also deletes its directory. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<AutoCloseable> parts = new ArrayList<>();
    parts.add(kafka);
    parts.add(redis);
    if (mongoStandIn != null) {
      parts.add(mongoStandIn);
    }
    RuntimeException failure = new IllegalStateException("devstack did not close cleanly");
    closeInReverse(parts, failure);
    if (ephemeral) {
      deleteRecursively(home);
    }
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  private static void closeInReverse(List<AutoCloseable> parts, Throwable collector) {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        collector.addSuppressed(e);
      }
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          log.warn("cannot delete {}: {}", path, e.toString());
        }
      });
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", root, e.toString());
    }
  }
}
