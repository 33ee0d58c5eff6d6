package gt.quetzal.bench.fault;

import gt.quetzal.devstack.KafkaBroker;
import gt.quetzal.devstack.MongoStandIn;
import gt.quetzal.devstack.Ports;
import gt.quetzal.devstack.RedisServer;
import gt.quetzal.devstack.TopicSetup;
import gt.quetzal.ingest.grpc.IngestGrpcConfig;
import gt.quetzal.ingest.grpc.IngestGrpcMain;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.ingest.http.IngestHttpMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away Quetzal for faults 1 to 5, on free ports: broker, Redis (append-only file) and the MongoDB
 * stand-in (H2 file) in this JVM or as its children, so each can be stopped and started again on its own
 * data; both ingest services in this JVM; the streams app and the sinks each in a child JVM, so a kill is a
 * real SIGKILL. The streams app runs without a catalog, so every run counts under bands of its own.
 */
public final class LocalStack implements FaultStack {

  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

  /**
   * @param childClasspath classpath holding the streams app and the sinks (this JVM's, usually)
   * @param childJvmOptions JVM options of those children
   * @param logDir where the children's logs go (kept after close)
   * @param brokerOutage how long the broker stays down; above ingest's delivery timeout (10 s) so some
   *     clients do get 503 and retry
   * @param storeOutage how long Redis and MongoDB stay down
   * @param childReadyTimeout bound on a child JVM's start
   */
  public record Settings(
      String childClasspath,
      List<String> childJvmOptions,
      Path logDir,
      Duration brokerOutage,
      Duration storeOutage,
      Duration childReadyTimeout) {

    public static Settings defaults(Path logDir) {
      return new Settings(
          System.getProperty("java.class.path"),
          List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-Xss512k", "-XX:TieredStopAtLevel=1"),
          logDir,
          Duration.ofSeconds(12),
          Duration.ofSeconds(10),
          Duration.ofSeconds(120));
    }
  }

  private final Settings settings;
  private final Path home;
  private KafkaBroker kafka;
  private RedisServer redis;
  private MongoStandIn mongo;
  private IngestHttpMain.Running http;
  private IngestGrpcMain.Running grpc;
  private ChildJvm streams;
  private int streamsPort;
  private ChildJvm sinks;

  private LocalStack(Settings settings, Path home) {
    this.settings = settings;
    this.home = home;
  }

  /** Starts every part; on failure, stops what started and rethrows. */
  public static LocalStack start(Settings settings) {
    Path home;
    try {
      home = Files.createTempDirectory("quetzal-faults-");
      Files.createDirectories(settings.logDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the fault stack's directories", e);
    }
    LocalStack stack = new LocalStack(settings, home);
    try {
      stack.startAll();
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  /** Ingest answers 503 until it has read the contest; the senders start voting right away. */
  private void awaitContest() {
    try {
      http.awaitContest(java.time.Duration.ofSeconds(60));
      grpc.awaitContest(java.time.Duration.ofSeconds(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ingest read the contest", e);
    }
  }

  private void startAll() {
    kafka = KafkaBroker.start(home.resolve("kafka"), 0, 0);
    TopicSetup.createAll(kafka.bootstrapServers());
    redis = RedisServer.start(0, home.resolve("redis"), true);
    mongo = MongoStandIn.startPersistent(0, home.resolve("mongo"));

    String bootstrap = kafka.bootstrapServers();
    http = IngestHttpMain.start(IngestHttpConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "HTTP_PORT", "0")));
    grpc = IngestGrpcMain.start(
        IngestGrpcConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "GRPC_PORT", "0", "HTTP_PORT", "0")));
    awaitContest();

    String tag = UUID.randomUUID().toString().substring(0, 8);
    streamsPort = Ports.freePort();
    Map<String, String> streamsEnv = new LinkedHashMap<>();
    streamsEnv.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    streamsEnv.put("APPLICATION_ID", "quetzal-faults-" + tag);
    streamsEnv.put("STATE_DIR", home.resolve("streams-state").toString());
    streamsEnv.put("HTTP_PORT", Integer.toString(streamsPort));
    // As a StatefulSet pod does: the restarted instance takes its partitions back at once instead of
    // waiting for the dead member's session to expire.
    streamsEnv.put("GROUP_INSTANCE_ID", "quetzal-faults-streams-0");
    streamsEnv.put("ROCKSDB_CACHE_BYTES", Long.toString(16L * 1024 * 1024));
    streams = new ChildJvm("streams-app", "gt.quetzal.streams.runtime.StreamsMain", settings.childClasspath(),
        settings.childJvmOptions(), streamsEnv, settings.logDir().resolve("streams-app-" + tag + ".log"),
        URI.create("http://localhost:" + streamsPort + "/readyz"), settings.childReadyTimeout());
    streams.start();

    int sinksPort = Ports.freePort();
    Map<String, String> sinksEnv = Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
        "REDIS_URL", redis.url(),
        "MONGO_URI", mongo.uri(),
        "HTTP_PORT", Integer.toString(sinksPort),
        "GROUP_ID", "quetzal-faults-" + tag + "-sinks",
        // Likewise for the sinks: without it a killed sink's partitions wait out a 45 s session.
        "GROUP_INSTANCE_ID", "quetzal-faults-sinks-0");
    sinks = new ChildJvm("sinks", "gt.quetzal.sinks.SinksMain", settings.childClasspath(),
        settings.childJvmOptions(), sinksEnv, settings.logDir().resolve("sinks-" + tag + ".log"),
        URI.create("http://localhost:" + sinksPort + "/readyz"), settings.childReadyTimeout());
    sinks.start();
    log.info("fault stack up: Kafka {}, Redis {}, MongoDB stand-in {}, ingest http {} grpc {}, logs in {}",
        bootstrap, redis.url(), mongo.uri(), http.httpPort(), grpc.grpcPort(), settings.logDir());
  }

  @Override
  public URI ingestHttp() {
    return URI.create("http://localhost:" + http.httpPort());
  }

  @Override
  public String grpcHost() {
    return "localhost";
  }

  @Override
  public int grpcPort() {
    return grpc.grpcPort();
  }

  @Override
  public URI streamsUrl() {
    return URI.create("http://localhost:" + streamsPort);
  }

  @Override
  public URI redisUrl() {
    return URI.create(redis.url());
  }

  @Override
  public String mongoUri() {
    return mongo.uri();
  }

  @Override
  public Set<Fault> supports() {
    return EnumSet.range(Fault.BROKER, Fault.MONGODB);
  }

  @Override
  public Map<String, String> bandsFor(String runId) {
    Map<String, String> bands = new LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      bands.put("Fault " + runId + " band " + i, "Album " + i);
    }
    return bands;
  }

  @Override
  public List<String> logLocations() {
    return List.of(streams.log().toString(), sinks.log().toString());
  }

  @Override
  public FaultEvidence inject(Fault fault) {
    return switch (fault) {
      case BROKER -> breakBroker();
      case STREAMS_APP -> killAndRestart(streams);
      case SINKS -> killAndRestart(sinks);
      case REDIS -> breakRedis();
      case MONGODB -> breakMongo();
      case WHOLE_STACK -> throw new IllegalArgumentException("the whole-stack fault needs ./quetzal up: LauncherStack");
    };
  }

  private FaultEvidence breakBroker() {
    Path dir = kafka.dataDir();
    int port = kafka.brokerPort();
    int controller = kafka.controllerPort();
    kafka.halt();
    boolean refused = refuses(port);
    Probe.hold(settings.brokerOutage());
    long began = System.nanoTime();
    kafka = KafkaBroker.start(dir, port, controller);
    return new FaultEvidence(refused, String.format(
        "halted without controlled shutdown (port %s while down), down %d s, restarted on the same log dir in %.1f s",
        refused ? "refused" : "STILL OPEN", settings.brokerOutage().toSeconds(), seconds(began)));
  }

  private static FaultEvidence killAndRestart(ChildJvm child) {
    long before = child.pid();
    int exit = child.killHard();
    long began = System.nanoTime();
    child.start();
    long after = child.pid();
    return new FaultEvidence(exit == 137 && after != before, String.format(
        "pid %d got SIGKILL (exit %d), restarted as pid %d, ready in %.1f s", before, exit, after, seconds(began)));
  }

  private FaultEvidence breakRedis() {
    int port = redis.port();
    redis.halt();
    boolean refused = refuses(port);
    Probe.hold(settings.storeOutage());
    long began = System.nanoTime();
    redis = RedisServer.start(port, home.resolve("redis"), true);
    return new FaultEvidence(refused, String.format(
        "redis-server got SIGKILL (port %s), down %d s, restarted on its append-only file in %.1f s",
        refused ? "refused" : "STILL OPEN", settings.storeOutage().toSeconds(), seconds(began)));
  }

  private FaultEvidence breakMongo() {
    int port = mongo.port();
    mongo.close();
    boolean refused = refuses(port);
    Probe.hold(settings.storeOutage());
    long began = System.nanoTime();
    mongo = MongoStandIn.startPersistent(port, home.resolve("mongo"));
    return new FaultEvidence(refused, String.format(
        "MongoDB stand-in stopped (port %s), down %d s, restarted on its H2 file in %.1f s",
        refused ? "refused" : "STILL OPEN", settings.storeOutage().toSeconds(), seconds(began)));
  }

  /** True when nothing accepts connections on the port: the part is really down. */
  static boolean refuses(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  /** Stops every part in reverse order of start and deletes the data (logs stay). */
  @Override
  public void close() {
    List<AutoCloseable> parts = new ArrayList<>();
    parts.add(kafka);
    parts.add(redis);
    parts.add(mongo);
    parts.add(http);
    parts.add(grpc);
    parts.add(streams);
    parts.add(sinks);
    for (int i = parts.size() - 1; i >= 0; i--) {
      AutoCloseable part = parts.get(i);
      if (part == null) {
        continue;
      }
      try {
        part.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
    deleteRecursively(home);
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", root, e.toString());
    }
  }
}
