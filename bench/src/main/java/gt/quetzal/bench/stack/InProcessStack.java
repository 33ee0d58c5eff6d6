package gt.quetzal.bench.stack;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import gt.quetzal.contract.Catalog;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.devstack.Ports;
import gt.quetzal.devstack.TopicSetup;
import gt.quetzal.ingest.grpc.IngestGrpcConfig;
import gt.quetzal.ingest.grpc.IngestGrpcMain;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.ingest.http.IngestHttpMain;
import gt.quetzal.sinks.SinksConfig;
import gt.quetzal.sinks.SinksMain;
import gt.quetzal.streams.runtime.StreamsAppConfig;
import gt.quetzal.streams.runtime.StreamsMain;
import gt.quetzal.web.WebConfig;
import gt.quetzal.web.WebMain;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import redis.clients.jedis.RedisClient;

/**
 * Quetzal in this JVM, as {@code ./quetzal up} runs it in several: the services chosen, each started
 * through its production {@code start(Config)} with its configuration read from an environment, on the
 * devstack's real broker, Redis and MongoDB stand-in (or on the infrastructure given), every port the
 * system's pick. The benchmarks, the fault runs and the end-to-end tests all start their stack here.
 *
 * <pre>{@code
 * try (InProcessStack stack = InProcessStack.builder().contest(catalog).streams().sinks().ingestHttp().start()) {
 *   int port = stack.ingestHttp().httpPort();
 * }
 * }</pre>
 *
 * {@link Builder#start()} returns once the stack can count a vote: ingest has read the contest and the
 * streams app is RUNNING. Closing stops the services in reverse order, then what the stack owns.
 */
public final class InProcessStack implements AutoCloseable {

  /** Bound on start-up; a streams app on two shared cores can take a minute, a hang still fails. */
  public static final Duration STARTUP = Duration.ofSeconds(120);

  private final Devstack devstack; // null on infrastructure the caller owns
  private final Infra infra;
  private final Map<Service, List<Instance>> instances = new EnumMap<>(Service.class);
  private RedisClient redis;
  private MongoClient mongo;
  private Clock ingestClock;

  /** One instance of a service: its environment, kept so that a restart is the same instance again. */
  private static final class Instance {
    final Map<String, String> env;
    final ScratchDir stateDir; // the streams app's own, when the caller gave none
    Object config;
    AutoCloseable running; // null while stopped

    Instance(Map<String, String> env, ScratchDir stateDir) {
      this.env = env;
      this.stateDir = stateDir;
    }
  }

  private InProcessStack(Devstack devstack, Infra infra) {
    this.devstack = devstack;
    this.infra = infra;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Which services, with what environment over {@link Service#env}, on which infrastructure. */
  public static final class Builder {
    private final Map<Service, Map<String, String>> services = new EnumMap<>(Service.class);
    private final Map<Service, Integer> counts = new EnumMap<>(Service.class);
    private int partitions = TopicSetup.DEFAULT_PARTITIONS;
    private Map<String, String> baseEnv = Map.of();
    private boolean applyContest;
    private Catalog contest;
    private Duration startup = STARTUP;
    private Clock ingestClock = Clock.systemUTC();

    private Builder() {}

    /** Runs {@code service}; {@code envPairs} (name, value, ...) go over its {@link Service#env}. */
    public Builder with(Service service, String... envPairs) {
      services.put(service, Service.vars(envPairs));
      return this;
    }

    /**
     * Runs {@code n} instances of {@code service} (default one). Streams instances beyond the first each get
     * their own state dir and an {@code APPLICATION_SERVER} on a port picked now, so any of them answers
     * queries for all ({@link #streams(int)}).
     */
    public Builder instances(Service service, int n) {
      if (n < 1) {
        throw new IllegalArgumentException(service.label() + ": at least one instance, was " + n);
      }
      counts.put(service, n);
      return this;
    }

    /** Partitions of the scaled topics of the fresh devstack {@link #start()} makes (TopicSetup.plan). */
    public Builder partitions(int n) {
      this.partitions = n;
      return this;
    }

    public Builder streams(String... envPairs) {
      return with(Service.STREAMS_APP, envPairs);
    }

    public Builder sinks(String... envPairs) {
      return with(Service.SINKS, envPairs);
    }

    public Builder web(String... envPairs) {
      return with(Service.WEB, envPairs);
    }

    public Builder ingestHttp(String... envPairs) {
      return with(Service.INGEST_HTTP, envPairs);
    }

    public Builder ingestGrpc(String... envPairs) {
      return with(Service.INGEST_GRPC, envPairs);
    }

    /** Under what {@link Service#env} sets: tuning read from the caller's environment, say. */
    public Builder baseEnv(Map<String, String> env) {
      this.baseEnv = Map.copyOf(env);
      return this;
    }

    /**
     * The contest {@code contest.catalog} says before any service starts, as {@code ./quetzal up
     * --catalog} applies it; {@code null} is an open contest. Without this, the topic is left as it is.
     */
    public Builder contest(Catalog catalog) {
      this.applyContest = true;
      this.contest = catalog;
      return this;
    }

    /** The clock ingest-http stamps votes with (default the system's): the fault runs' clock-skew seam. */
    public Builder ingestClock(Clock clock) {
      this.ingestClock = clock;
      return this;
    }

    public Builder startup(Duration timeout) {
      this.startup = timeout;
      return this;
    }

    /** On a fresh ephemeral devstack, which closing the stack stops. */
    public InProcessStack start() {
      return startOn(Devstack.startEphemeral(1, partitions));
    }

    /** On {@code devstack}, which closing the stack stops. */
    public InProcessStack startOn(Devstack devstack) {
      return start(new InProcessStack(devstack, Infra.of(devstack)));
    }

    /** On infrastructure the caller owns and stops; no contest can be applied here. */
    public InProcessStack startOn(Infra infra) {
      if (applyContest) {
        throw new IllegalStateException("a contest is applied through a devstack");
      }
      return start(new InProcessStack(null, infra));
    }

    private InProcessStack start(InProcessStack stack) {
      try {
        if (applyContest) {
          stack.devstack.applyContest(contest);
        }
        stack.ingestClock = ingestClock;
        services.forEach((service, env) -> stack.startService(service, baseEnv, env, counts.getOrDefault(service, 1)));
        stack.awaitReady(startup);
        return stack;
      } catch (RuntimeException | Error e) {
        stack.close();
        throw e;
      }
    }
  }

  private void startService(Service service, Map<String, String> base, Map<String, String> overrides, int count) {
    for (int i = 0; i < count; i++) {
      Map<String, String> env = service.env(infra, base);
      env.putAll(overrides);
      ScratchDir stateDir = null;
      if (service == Service.STREAMS_APP && !env.containsKey("STATE_DIR")) {
        stateDir = ScratchDir.create("quetzal-stack-streams-");
        env.put("STATE_DIR", stateDir.path().toString());
      }
      if (service == Service.STREAMS_APP && count > 1 && !env.containsKey("APPLICATION_SERVER")) {
        // Peers must know where to forward before the port is bound, so it is picked here.
        int port = Ports.freePort();
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("APPLICATION_SERVER", "localhost:" + port);
      }
      Instance instance = new Instance(env, stateDir);
      instances.computeIfAbsent(service, s -> new ArrayList<>()).add(instance);
      launch(service, instance);
    }
  }

  private void launch(Service service, Instance instance) {
    Map<String, String> env = instance.env;
    switch (service) {
      case STREAMS_APP -> started(instance, StreamsAppConfig.fromEnv(env), StreamsMain::start);
      case SINKS -> started(instance, SinksConfig.fromEnv(env), SinksMain::start);
      case WEB -> started(instance, WebConfig.fromEnv(env), WebMain::start);
      case INGEST_HTTP -> started(instance, IngestHttpConfig.fromEnv(env), c -> IngestHttpMain.start(c, ingestClock));
      case INGEST_GRPC -> started(instance, IngestGrpcConfig.fromEnv(env), IngestGrpcMain::start);
    }
  }

  private static <C, R extends AutoCloseable> void started(Instance instance, C config, Function<C, R> start) {
    instance.config = config;
    instance.running = start.apply(config);
  }

  /** How many instances of {@code service} this stack runs (stopped ones included). */
  public int instances(Service service) {
    return instances.getOrDefault(service, List.of()).size();
  }

  /** Stops instance {@code i} of {@code service} as a clean shutdown does; {@link #startAgain} restarts it. */
  public synchronized void stop(Service service, int i) throws Exception {
    Instance instance = instance(service, i);
    if (instance.running != null) {
      AutoCloseable running = instance.running;
      instance.running = null;
      running.close();
    }
  }

  /** Starts a stopped instance again with its environment: the same state dir and query port. */
  public synchronized void startAgain(Service service, int i) {
    Instance instance = instance(service, i);
    if (instance.running != null) {
      throw new IllegalStateException(service.label() + " " + i + " is running");
    }
    launch(service, instance);
  }

  private Instance instance(Service service, int i) {
    List<Instance> all = instances.getOrDefault(service, List.of());
    if (i < 0 || i >= all.size()) {
      throw new IllegalStateException(service.label() + (i == 0 ? " is not part of this stack" : " has no instance " + i));
    }
    return all.get(i);
  }

  /** Ingest answers 503 until it has read the contest, and the streams app counts nothing before RUNNING. */
  private void awaitReady(Duration timeout) {
    try {
      if (instances.containsKey(Service.INGEST_HTTP)) {
        ingestHttp().awaitContest(timeout);
      }
      if (instances.containsKey(Service.INGEST_GRPC)) {
        ingestGrpc().awaitContest(timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ingest read the contest", e);
    }
    for (int i = 0; i < instances(Service.STREAMS_APP); i++) {
      StreamsMain.Running streams = streams(i);
      Probe.await("the streams app RUNNING", timeout, () -> streams.state() == KafkaStreams.State.RUNNING);
    }
  }

  public Infra infra() {
    return infra;
  }

  public String bootstrapServers() {
    return infra.bootstrapServers();
  }

  public String redisUrl() {
    return infra.redisUrl();
  }

  public String mongoUri() {
    return infra.mongoUri();
  }

  /** A client of the stack's Redis, to look at what the sinks wrote; closed with the stack. */
  public synchronized RedisClient redis() {
    if (redis == null) {
      redis = RedisClient.create(URI.create(infra.redisUrl()));
    }
    return redis;
  }

  /** A client of the stack's MongoDB; closed with the stack. */
  public synchronized MongoClient mongo() {
    if (mongo == null) {
      mongo = MongoClients.create(infra.mongoUri());
    }
    return mongo;
  }

  /** Makes {@code contest.catalog} say {@code catalog} while everything runs ({@code ./quetzal contest apply}). */
  public void applyContest(Catalog catalog) {
    if (devstack == null) {
      throw new IllegalStateException("a contest is applied through a devstack");
    }
    devstack.applyContest(catalog);
  }

  public StreamsMain.Running streams() {
    return streams(0);
  }

  /** Instance {@code i} of the streams app. */
  public StreamsMain.Running streams(int i) {
    return running(Service.STREAMS_APP, i, StreamsMain.Running.class);
  }

  public StreamsAppConfig streamsConfig() {
    return config(Service.STREAMS_APP, StreamsAppConfig.class);
  }

  public SinksMain.Running sinks() {
    return running(Service.SINKS, 0, SinksMain.Running.class);
  }

  public SinksConfig sinksConfig() {
    return config(Service.SINKS, SinksConfig.class);
  }

  public WebMain.Running web() {
    return running(Service.WEB, 0, WebMain.Running.class);
  }

  public IngestHttpMain.Running ingestHttp() {
    return running(Service.INGEST_HTTP, 0, IngestHttpMain.Running.class);
  }

  public IngestGrpcMain.Running ingestGrpc() {
    return running(Service.INGEST_GRPC, 0, IngestGrpcMain.Running.class);
  }

  /** {@code http://localhost:PORT} of ingest-http, where {@code POST /votes} is. */
  public URI ingestUrl() {
    return URI.create("http://localhost:" + ingestHttp().httpPort());
  }

  /** {@code http://localhost:PORT} of the web page and its API. */
  public URI webUrl() {
    return URI.create("http://localhost:" + web().httpPort());
  }

  private <T> T running(Service service, int i, Class<T> type) {
    Object running = instance(service, i).running;
    if (running == null) {
      throw new IllegalStateException(service.label() + " " + i + " is stopped");
    }
    return type.cast(running);
  }

  private <T> T config(Service service, Class<T> type) {
    return type.cast(instance(service, 0).config);
  }

  /**
   * Closes the clients, stops the services in reverse order of start, deletes the streams state, then
   * stops the devstack.
   */
  @Override
  public synchronized void close() {
    if (redis != null) {
      redis.close();
    }
    if (mongo != null) {
      mongo.close();
    }
    List<Service> started = new ArrayList<>(instances.keySet());
    for (int i = started.size() - 1; i >= 0; i--) {
      List<Instance> all = instances.remove(started.get(i));
      for (int k = all.size() - 1; k >= 0; k--) {
        Instance instance = all.get(k);
        try {
          if (instance.running != null) {
            instance.running.close();
          }
        } catch (Exception e) {
          System.err.println("closing " + started.get(i).label() + " " + k + ": " + e);
        }
        if (instance.stateDir != null) {
          instance.stateDir.close();
        }
      }
    }
    if (devstack != null) {
      devstack.close();
    }
  }
}
