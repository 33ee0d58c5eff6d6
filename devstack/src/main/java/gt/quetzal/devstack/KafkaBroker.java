package gt.quetzal.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.BrokerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.storage.internals.checkpoint.CleanShutdownFileHandler;
import org.apache.kafka.storage.internals.log.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (combined broker + controller, KRaft) running inside this JVM.
 *
 * <p>The data directory is the caller's: it is formatted only when it holds no {@code meta.properties}
 * yet, so starting again on the same directory keeps every topic, record and committed offset.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final int NODE_ID = 1;

  private final Path dataDir;
  private final Path logDir;
  private final int brokerPort;
  private final int controllerPort;
  private final KafkaRaftServer server;
  private final Duration startupTime;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private KafkaBroker(
      Path dataDir, Path logDir, int brokerPort, int controllerPort, KafkaRaftServer server, Duration startupTime) {
    this.dataDir = dataDir;
    this.logDir = logDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.server = server;
    this.startupTime = startupTime;
  }

  /**
   * Formats {@code dataDir} if needed, starts the broker and returns once an Admin client sees it.
   *
   * @param brokerPort client listener port, 0 for a free one
   * @param controllerPort KRaft controller listener port, 0 for a free one
   */
  public static KafkaBroker start(Path dataDir, int brokerPort, int controllerPort) {
    long started = System.nanoTime();
    int broker = Ports.orFree(brokerPort);
    int controller = Ports.orFree(controllerPort);
    while (controller == broker) {
      controller = Ports.freePort();
    }
    Path absolute = dataDir.toAbsolutePath();
    Path logDir = absolute.resolve("logs");
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka data dir " + logDir, e);
    }
    Properties props = properties(logDir, broker, controller);
    formatIfNeeded(absolute, logDir, props);

    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    String bootstrap = "localhost:" + broker;
    try {
      server.startup();
      awaitReady(bootstrap);
    } catch (RuntimeException e) {
      server.shutdown();
      server.awaitShutdown();
      throw new IllegalStateException("Kafka broker on " + bootstrap + " did not start: " + e.getMessage(), e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    log.info("Kafka broker ready on {} (controller {}) in {} ms, data in {}",
        bootstrap, controller, took.toMillis(), absolute);
    return new KafkaBroker(absolute, logDir, broker, controller, server, took);
  }

  /** Single-node settings: every internal topic at replication 1 so transactions and groups work on one broker. */
  static Properties properties(Path logDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    // Clients are told "localhost" so the printed bootstrap address and the advertised one agree.
    p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());

    // Kafka's own topics: one replica, and few partitions so that a fresh broker is ready quickly.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    for (String internal : List.of("transaction.state.log", "share.coordinator.state.topic")) {
      p.put(internal + ".replication.factor", "1");
      p.put(internal + ".min.isr", "1");
      p.put(internal + ".num.partitions", "5");
    }
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Topics come from TopicSetup's plan only; a typo in an app must fail, not create a stray topic.
    p.put("auto.create.topics.enable", "false");

    // Keep the local stack small: the cleaner's dedupe buffer alone defaults to 128 MiB of heap.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("background.threads", "4");
    // Faster unfencing at startup; the session timeout stays well above it.
    p.put("broker.heartbeat.interval.ms", "500");
    p.put("broker.session.timeout.ms", "6000");
    return p;
  }

  private static void formatIfNeeded(Path dataDir, Path logDir, Properties props) {
    if (Files.exists(logDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
      return;
    }
    Path configFile = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(configFile)) {
      props.store(out, "written by Quetzal devstack for the storage format step");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    String clusterId = Uuid.randomUuid().toString();
    int exit;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exit = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", configFile.toString()}, print);
    } catch (Exception e) {
      throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed: " + e.getMessage(), e);
    }
    String text = output.toString(StandardCharsets.UTF_8).trim();
    if (exit != 0) {
      throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed (" + exit + "): " + text);
    }
    log.info("Formatted Kafka storage in {} (cluster {})", logDir, clusterId);
  }

  private static void awaitReady(String bootstrap) {
    int timeoutMs = (int) READY_TIMEOUT.toMillis();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs))) {
      // The Admin client retries internally until the timeout; no polling loop of our own.
      Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
          .nodes()
          .get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
      if (nodes.isEmpty()) {
        throw new IllegalStateException("the broker reports no live nodes");
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("describeCluster failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("describeCluster did not answer within " + READY_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }

  public String bootstrapServers() {
    return "localhost:" + brokerPort;
  }

  public int brokerPort() {
    return brokerPort;
  }

  public int controllerPort() {
    return controllerPort;
  }

  /** The directory given to {@link #start}; pass it again (with the same ports) to restart on the same data. */
  public Path dataDir() {
    return dataDir;
  }

  /** Wall time from {@link #start} being called to the Admin client seeing the broker. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Clean shutdown: controlled shutdown, logs flushed, clean-shutdown marker written. Idempotent. */
  @Override
  public void close() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    long began = System.nanoTime();
    server.shutdown();
    server.awaitShutdown();
    log.info("Kafka broker on {} stopped in {} ms", bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
  }

  /**
   * Stops the broker the way a crash would look to the next start, as far as an in-process broker allows.
   *
   * <ul>
   *   <li>No controlled shutdown: the broker does not wait for the controller's approval before leaving.
   *   <li>Listeners close, so connected clients see their requests fail and must retry or time out.
   *   <li>The clean-shutdown marker and the recovery-point checkpoint are deleted afterwards, so a
   *       later {@link #start} on the same directory and ports runs full log recovery and registers
   *       with an unknown previous broker epoch, exactly as after {@code kill -9}.
   * </ul>
   *
   * <p>What it cannot do: the JVM's threads finish their work, so written records reach the page cache
   * (as they would with {@code kill -9}; only an OS crash would lose more). Idempotent, and a no-op after
   * {@link #close}.
   *
   * <p>Expect Kafka to log "Timed out waiting for the controller to approve controlled shutdown" at ERROR.
   * As after a real crash, the controller still holds the dead incarnation's registration, so the next start
   * takes about {@code broker.session.timeout.ms} (6 s) longer while that session expires.
   */
  public void halt() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    long began = System.nanoTime();
    // A zero timeout skips waiting for the controller to approve a controlled shutdown.
    brokerServer().ifPresent(broker -> broker.shutdown(Duration.ZERO));
    server.shutdown();
    server.awaitShutdown();
    try {
      Files.deleteIfExists(logDir.resolve(CleanShutdownFileHandler.CLEAN_SHUTDOWN_FILE_NAME));
      Files.deleteIfExists(logDir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove clean-shutdown state from " + logDir, e);
    }
    log.info("Kafka broker on {} halted in {} ms (next start will recover its logs)", bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
  }

  /** KafkaRaftServer keeps its BrokerServer private; reflection is the only way to skip controlled shutdown. */
  private Optional<BrokerServer> brokerServer() {
    try {
      Field field = KafkaRaftServer.class.getDeclaredField("broker");
      field.setAccessible(true);
      scala.Option<?> option = (scala.Option<?>) field.get(server);
      return option.isDefined() ? Optional.of((BrokerServer) option.get()) : Optional.empty();
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot reach the BrokerServer inside KafkaRaftServer ({}); halt() falls back to a plain shutdown",
          e.toString());
      return Optional.empty();
    }
  }
}
