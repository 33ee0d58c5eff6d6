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
 * A real Kafka node (combined broker + controller, KRaft) running inside this JVM: a single-node
 * cluster by {@link #start(Path, int, int)}, or one node of a {@link KafkaCluster}.
 *
 * <p>The data directory is the caller's: it is formatted only when it holds no {@code meta.properties}
 * yet, so starting again on the same directory keeps every topic, record and committed offset.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final Path logDir;
  private final Voter self;
  private final List<Voter> quorum;
  private final String clusterId;
  private final KafkaRaftServer server;
  private final Duration startupTime;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private KafkaBroker(
      Path dataDir, Path logDir, Voter self, List<Voter> quorum, String clusterId, KafkaRaftServer server,
      Duration startupTime) {
    this.dataDir = dataDir;
    this.logDir = logDir;
    this.self = self;
    this.quorum = List.copyOf(quorum);
    this.clusterId = clusterId;
    this.server = server;
    this.startupTime = startupTime;
  }

  /** One node of a KRaft quorum: its id and its two listener ports. */
  record Voter(int id, int brokerPort, int controllerPort) {

    String voter() {
      return id + "@127.0.0.1:" + controllerPort;
    }
  }

  /**
   * Formats {@code dataDir} if needed, starts the broker and returns once an Admin client sees it.
   *
   * @param brokerPort client listener port, 0 for a free one
   * @param controllerPort KRaft controller listener port, 0 for a free one
   */
  public static KafkaBroker start(Path dataDir, int brokerPort, int controllerPort) {
    int broker = Ports.orFree(brokerPort);
    int controller = Ports.orFree(controllerPort);
    while (controller == broker) {
      controller = Ports.freePort();
    }
    Voter self = new Voter(1, broker, controller);
    KafkaBroker node = start(dataDir, self, List.of(self), Uuid.randomUuid().toString());
    node.awaitReady(1);
    return node;
  }

  /**
   * Formats {@code dataDir} for {@code clusterId} if needed and starts {@code self} as one voter of
   * {@code quorum}. Returns when the server's startup returned; a quorum of several nodes must be
   * started side by side, since none finishes starting before a majority is up.
   */
  static KafkaBroker start(Path dataDir, Voter self, List<Voter> quorum, String clusterId) {
    long started = System.nanoTime();
    Path absolute = dataDir.toAbsolutePath();
    Path logDir = absolute.resolve("logs");
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka data dir " + logDir, e);
    }
    Properties props = properties(logDir, self, quorum);
    formatIfNeeded(absolute, logDir, props, clusterId);

    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      server.shutdown();
      server.awaitShutdown();
      throw new IllegalStateException(
          "Kafka broker on localhost:" + self.brokerPort() + " did not start: " + e.getMessage(), e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    return new KafkaBroker(absolute, logDir, self, quorum, clusterId, server, took);
  }

  /** Returns once an Admin client on this node sees {@code nodes} live brokers; shuts the node down if it never does. */
  void awaitReady(int nodes) {
    try {
      awaitReady(bootstrapServers(), nodes);
    } catch (RuntimeException e) {
      server.shutdown();
      server.awaitShutdown();
      throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " did not start: " + e.getMessage(), e);
    }
    log.info("Kafka broker {} ready on {} (controller {}) in {} ms, data in {}",
        self.id(), bootstrapServers(), self.controllerPort(), startupTime.toMillis(), dataDir);
  }

  /**
   * Settings of one node. Kafka's own topics take as many replicas as the quorum has nodes, up to
   * three, and with three a write needs two in sync, as in production; one node runs with one.
   */
  static Properties properties(Path logDir, Voter self, List<Voter> quorum) {
    int replicas = Math.min(quorum.size(), 3);
    int minInSync = replicas >= 3 ? 2 : 1;
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(self.id()));
    p.put("controller.quorum.voters", String.join(",", quorum.stream().map(Voter::voter).toList()));
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listeners",
        "PLAINTEXT://127.0.0.1:" + self.brokerPort() + ",CONTROLLER://127.0.0.1:" + self.controllerPort());
    // Clients are told "localhost" so the printed bootstrap address and the advertised one agree.
    p.put("advertised.listeners", "PLAINTEXT://localhost:" + self.brokerPort());
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());

    // Few partitions for Kafka's own topics, so that a fresh broker is ready quickly.
    p.put("offsets.topic.replication.factor", String.valueOf(replicas));
    p.put("offsets.topic.num.partitions", "5");
    for (String internal : List.of("transaction.state.log", "share.coordinator.state.topic")) {
      p.put(internal + ".replication.factor", String.valueOf(replicas));
      p.put(internal + ".min.isr", String.valueOf(minInSync));
      p.put(internal + ".num.partitions", "5");
    }
    p.put("default.replication.factor", String.valueOf(replicas));
    p.put("min.insync.replicas", String.valueOf(minInSync));
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

  private static void formatIfNeeded(Path dataDir, Path logDir, Properties props, String clusterId) {
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

  private static void awaitReady(String bootstrap, int expected) {
    int timeoutMs = (int) READY_TIMEOUT.toMillis();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs))) {
      // The Admin client retries until the first answer; the other nodes of a cluster register
      // moments later, which only asking again shows.
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      Collection<Node> nodes = describe(admin, timeoutMs);
      while (nodes.size() < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the broker reports " + nodes.size() + " live nodes, not " + expected);
        }
        Thread.sleep(100);
        nodes = describe(admin, timeoutMs);
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

  private static Collection<Node> describe(Admin admin, int timeoutMs)
      throws ExecutionException, TimeoutException, InterruptedException {
    return admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
        .nodes()
        .get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
  }

  public String bootstrapServers() {
    return "localhost:" + self.brokerPort();
  }

  public int brokerPort() {
    return self.brokerPort();
  }

  public int controllerPort() {
    return self.controllerPort();
  }

  /** This node again on the same data, ports and quorum, after {@link #close} or {@link #halt}. */
  KafkaBroker restart() {
    return start(dataDir, self, quorum, clusterId);
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
    KafkaExitGuard.whileStopping(() -> {
      server.shutdown();
      server.awaitShutdown();
    });
    log.info("Kafka broker on {} stopped in {} ms", bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
  }

  /**
   * A clean stop that does not ask the controller first: for the last node of a cluster whose quorum
   * is already gone, where a controlled shutdown would wait minutes for an answer nobody can give.
   * Idempotent.
   */
  void closeWithoutController() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    KafkaExitGuard.whileStopping(() -> {
      brokerServer().ifPresent(broker -> broker.shutdown(Duration.ZERO));
      server.shutdown();
      server.awaitShutdown();
    });
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
    KafkaExitGuard.whileStopping(() -> {
      // A zero timeout skips waiting for the controller to approve a controlled shutdown.
      brokerServer().ifPresent(broker -> broker.shutdown(Duration.ZERO));
      server.shutdown();
      server.awaitShutdown();
    });
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
