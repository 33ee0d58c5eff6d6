package gt.quetzal.bench.fault;

import gt.quetzal.bench.stack.ChildJvm;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.bench.stack.Infra;
import gt.quetzal.bench.stack.Probe;
import gt.quetzal.bench.stack.ScratchDir;
import gt.quetzal.bench.stack.Service;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Stats;
import gt.quetzal.devstack.KafkaCluster;
import gt.quetzal.devstack.MongoStandIn;
import gt.quetzal.devstack.Ports;
import gt.quetzal.devstack.RedisServer;
import gt.quetzal.devstack.TopicSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/**
 * A throw-away Quetzal for faults 1 to 5 and 8, 9 (one broker) or fault 7 (three), on free ports: Kafka, Redis (append-only file) and the MongoDB
 * stand-in (H2 file) in this JVM or as its children, so each can be stopped and started again on its own
 * data; both ingest services in this JVM ({@link InProcessStack}); the streams app and the sinks each in a
 * child JVM, so a kill is a real SIGKILL. The streams app runs without a catalog, so every run counts under
 * bands of its own.
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
      Duration childReadyTimeout,
      int brokers) {

    /** One broker. */
    public static Settings defaults(Path logDir) {
      return new Settings(
          System.getProperty("java.class.path"),
          List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-Xss512k", "-XX:TieredStopAtLevel=1"),
          logDir,
          Duration.ofSeconds(12),
          Duration.ofSeconds(10),
          Duration.ofSeconds(120),
          1);
    }

    /** On {@code n} Kafka brokers (replication factor min(n, 3), min.insync.replicas 2 from 3 on). */
    public Settings withBrokers(int n) {
      return new Settings(childClasspath, childJvmOptions, logDir, brokerOutage, storeOutage, childReadyTimeout, n);
    }
  }

  /** How far fault 8's ingest runs ahead. */
  static final Duration SKEW = Duration.ofMinutes(5);

  private final Settings settings;
  private final ScratchDir home = ScratchDir.create("quetzal-faults-");
  private final String tag = UUID.randomUUID().toString().substring(0, 8);
  private KafkaCluster kafka;
  private volatile InProcessStack skewedIngest; // fault 8's, while it takes the HTTP routes
  private RedisServer redis;
  private MongoStandIn mongo;
  private InProcessStack ingest;
  private ChildJvm streams;
  private int streamsPort;
  private ChildJvm sinks;

  private LocalStack(Settings settings) {
    this.settings = settings;
  }

  /** Starts every part; on failure, stops what started and rethrows. */
  public static LocalStack start(Settings settings) {
    try {
      Files.createDirectories(settings.logDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the fault stack's log dir", e);
    }
    LocalStack stack = new LocalStack(settings);
    try {
      stack.startAll();
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startAll() {
    kafka = settings.brokers() == 1
        ? KafkaCluster.single(home.resolve("kafka"), 0, 0)
        : KafkaCluster.start(home.resolve("kafka"), settings.brokers(), 0, 0);
    TopicSetup.createAll(kafka.bootstrapServers(), kafka.replicationFactor());
    redis = RedisServer.start(0, home.resolve("redis"), true);
    mongo = MongoStandIn.startPersistent(0, home.resolve("mongo"));
    // The parts restart on the same ports, so these addresses hold for the whole life of the stack.
    Infra infra = new Infra(kafka.bootstrapServers(), redis.url(), mongo.uri());
    ingest = InProcessStack.builder().ingestHttp().ingestGrpc().startup(Duration.ofSeconds(60)).startOn(infra);

    streamsPort = Ports.freePort();
    streams = child(Service.STREAMS_APP, infra, streamsPort,
        "APPLICATION_ID", "quetzal-faults-" + tag,
        "STATE_DIR", home.resolve("streams-state").toString(),
        // As a StatefulSet pod does: the restarted instance takes its partitions back at once instead of
        // waiting for the dead member's session to expire.
        "GROUP_INSTANCE_ID", "quetzal-faults-streams-0",
        "ROCKSDB_CACHE_BYTES", Long.toString(16L * 1024 * 1024));
    sinks = child(Service.SINKS, infra, Ports.freePort(),
        "GROUP_ID", "quetzal-faults-" + tag + "-sinks",
        // Likewise for the sinks: without it a killed sink's partitions wait out a 45 s session.
        "GROUP_INSTANCE_ID", "quetzal-faults-sinks-0");
    log.info("fault stack up: Kafka {}, Redis {}, MongoDB stand-in {}, ingest http {} grpc {}, logs in {}",
        infra.bootstrapServers(), infra.redisUrl(), infra.mongoUri(), ingest.ingestHttp().httpPort(),
        ingest.ingestGrpc().grpcPort(), settings.logDir());
  }

  /** {@code service} in a JVM of its own, ready, on {@code port}. */
  private ChildJvm child(Service service, Infra infra, int port, String... envPairs) {
    Map<String, String> env = service.env(infra, Map.of());
    env.putAll(Service.vars(envPairs));
    env.put("HTTP_PORT", Integer.toString(port));
    ChildJvm child = new ChildJvm(new ChildJvm.Spec(service.label(), List.of(service.mainClass()),
        settings.childClasspath(), settings.childJvmOptions(), env,
        settings.logDir().resolve(service.label() + "-" + tag + ".log"),
        URI.create("http://localhost:" + port + "/readyz"), settings.childReadyTimeout()));
    child.start();
    return child;
  }

  /** The HTTP routes go to fault 8's skewed ingest while it runs. */
  @Override
  public Endpoints endpoints() {
    InProcessStack http = skewedIngest == null ? ingest : skewedIngest;
    return new Endpoints(http.ingestUrl(), "localhost", ingest.ingestGrpc().grpcPort(),
        URI.create("http://localhost:" + streamsPort), URI.create(redis.url()), mongo.uri(), kafka.bootstrapServers());
  }

  /** Every fault but the whole-stack one, on the number of brokers it asks for. */
  @Override
  public Set<Fault> supports() {
    Set<Fault> faults = EnumSet.noneOf(Fault.class);
    for (Fault f : Fault.values()) {
      if (f != Fault.WHOLE_STACK && f.brokers() == settings.brokers()) {
        faults.add(f);
      }
    }
    return faults;
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
      case BROKER -> outage(kafka.node(0).brokerPort(), settings.brokerOutage(), () -> kafka.halt(0),
          port -> kafka.restart(0), "halted without controlled shutdown", "restarted on the same log dir");
      case BROKER_OF_THREE -> BrokerFailover.haltLeader(kafka, settings.brokerOutage());
      case CLOCK_SKEW -> skewIngest();
      case REDIS_AFTER_BURST -> {
        String quiet = awaitRedisQuiet();
        FaultEvidence e = outage(redis.port(), Duration.ZERO, redis::halt,
            port -> redis = RedisServer.start(port, home.resolve("redis"), true),
            quiet + "; redis-server got SIGKILL at once", "restarted on its append-only file");
        yield e;
      }
      case STREAMS_APP -> killAndRestart(streams);
      case SINKS -> killAndRestart(sinks);
      case REDIS -> outage(redis.port(), settings.storeOutage(), redis::halt,
          port -> redis = RedisServer.start(port, home.resolve("redis"), true),
          "redis-server got SIGKILL", "restarted on its append-only file");
      case MONGODB -> outage(mongo.port(), settings.storeOutage(), mongo::close,
          port -> mongo = MongoStandIn.startPersistent(port, home.resolve("mongo")),
          "MongoDB stand-in stopped", "restarted on its H2 file");
      case WHOLE_STACK -> throw new IllegalArgumentException("the whole-stack fault needs ./quetzal up: LauncherStack");
    };
  }

  /**
   * Fault 8: a second ingest-http, its clock {@link #SKEW} fast, takes the HTTP routes for {@code
   * storeOutage}, then stops (gracefully; votes it no longer takes are retried on the usual ingest).
   */
  private FaultEvidence skewIngest() {
    CountingClock clock = new CountingClock(Clock.offset(Clock.systemUTC(), SKEW));
    Infra infra = new Infra(kafka.bootstrapServers(), redis.url(), mongo.uri());
    InProcessStack skewed = InProcessStack.builder().ingestHttp().ingestClock(clock).startup(Duration.ofSeconds(60))
        .startOn(infra);
    skewedIngest = skewed;
    Probe.hold(settings.storeOutage());
    skewedIngest = null;
    skewed.close();
    long stamped = clock.reads();
    return new FaultEvidence(stamped > 0, String.format(Locale.ROOT,
        "an ingest-http %d min fast took the HTTP routes for %d s and stamped %,d votes", SKEW.toMinutes(),
        settings.storeOutage().toSeconds(), stamped));
  }

  /** Fault 9: waits until Redis's accepted count has not moved for half a second: the sinks wrote the burst. */
  private String awaitRedisQuiet() {
    long began = System.nanoTime();
    try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
      String last = null;
      int still = 0;
      while (still < 5 && seconds(began) < 60) {
        String now = client.hget(RedisKeys.STATS, Stats.ACCEPTED);
        still = now != null && now.equals(last) ? still + 1 : 0;
        last = now;
        Probe.hold(Duration.ofMillis(100));
      }
      return String.format(Locale.ROOT, "Redis showed %s accepted votes, still for 0.5 s, %.1f s after traffic stopped",
          last, seconds(began));
    }
  }

  /** Stops a part, checks that its port refuses connections, keeps it down, and starts it again there. */
  private static FaultEvidence outage(
      int port, Duration down, Runnable stop, IntConsumer restart, String stopped,
      String restarted) {
    stop.run();
    boolean refused = refuses(port);
    Probe.hold(down);
    long began = System.nanoTime();
    restart.accept(port);
    return new FaultEvidence(refused, String.format("%s (port %s while down), down %d s, %s in %.1f s",
        stopped, refused ? "refused" : "STILL OPEN", down.toSeconds(), restarted, seconds(began)));
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
    parts.add(ingest);
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
    home.close();
  }
}
