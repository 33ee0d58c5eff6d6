package gt.quetzal.ingest.grpc;

import gt.quetzal.kit.EnvReader;
import gt.quetzal.ingest.core.ClientRateLimit;
import gt.quetzal.ingest.core.KafkaVotePublisher;
import gt.quetzal.ingest.core.ContestGate;
import gt.quetzal.ingest.core.VotePublisher;
import gt.quetzal.ingest.core.VoteValidator;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Runs ingest-grpc: config, then the Kafka publisher, then the validator and service, then the gRPC
 * server and the small HTTP server for health and metrics.
 */
public final class IngestGrpcMain {

  private static final Logger log = LoggerFactory.getLogger(IngestGrpcMain.class);

  private IngestGrpcMain() {}

  public static void main(String[] args) {
    // grpc-java logs through java.util.logging: send it to the same slf4j output as everything else.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    IngestGrpcConfig config;
    try {
      config = IngestGrpcConfig.fromEnv(System.getenv());
    } catch (EnvReader.ConfigException e) {
      log.error(e.getMessage());
      System.exit(2);
      return;
    }
    Running running = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "shutdown"));
  }

  /**
   * Starts the publisher, the gRPC server and the HTTP server; the handle closes them in reverse
   * order. Kafka need not be up: until it is, health says NOT_SERVING, {@code /readyz} 503, and
   * votes get UNAVAILABLE.
   */
  public static Running start(IngestGrpcConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);

    List<AutoCloseable> started = new ArrayList<>();
    started.add(registry::close);
    try {
      ContestGate contest = ContestGate.follow(config.kafka().contestFollowerProperties());
      started.add(contest);
      KafkaVotePublisher kafka = KafkaVotePublisher.create(config.kafka(), registry);
      started.add(kafka);
      VotePublisher publisher = contest.guard(kafka);
      ExecutorService executor =
          ExecutorServiceMetrics.monitor(
              registry, Executors.newFixedThreadPool(config.threads(), daemonThreads("ingest-grpc-")), "ingest-grpc");
      started.add(() -> shutdownExecutor(executor));

      VoteGrpcService service =
          new VoteGrpcService(
              VoteValidator.standard(config.rules()).withContest(contest),
              publisher,
              registry,
              VoteGrpcService.Settings.of(config),
              executor);
      NettyServerBuilder builder =
          NettyServerBuilder.forPort(config.grpcPort())
              .executor(executor)
              .maxConcurrentCallsPerConnection(config.maxConcurrentCallsPerConnection());
      IngestGrpcServer grpc =
          new IngestGrpcServer(
                  builder,
                  service,
                  publisher,
                  config.maxInboundMessageBytes(),
                  Duration.ofMillis(config.healthPollMs()),
                  Duration.ofMillis(config.shutdownTimeoutMs()),
                  rateLimitInterceptors(config, registry))
              .start();
      started.add(grpc);
      Javalin ops = new GrpcOpsApp(publisher, registry, config.httpPort()).create().start();
      started.add(ops::stop);
      log.info(
          "ingest-grpc listening on gRPC port {} (health and metrics on HTTP port {}), publishing to Kafka at {}",
          grpc.port(),
          ops.port(),
          config.kafka().bootstrapServers());
      return new Running(grpc.port(), ops.port(), contest, started);
    } catch (RuntimeException e) {
      closeInReverse(started);
      throw e;
    }
  }

  /** The per-client rate limit when RATE_LIMIT_KEY is not off; none otherwise (no cost per call). */
  private static ServerInterceptor[] rateLimitInterceptors(IngestGrpcConfig config, PrometheusMeterRegistry registry) {
    ClientRateLimit rateLimit = ClientRateLimit.of(config.rateLimit());
    return rateLimit == null
        ? new ServerInterceptor[0]
        : new ServerInterceptor[] {new RateLimitInterceptor(rateLimit, registry)};
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + next.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void shutdownExecutor(ExecutorService executor) throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
  }

  private static void closeInReverse(List<AutoCloseable> parts) {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", parts.get(i).getClass().getSimpleName(), e.toString());
      }
    }
  }

  /**
   * The running service. {@link #close()} is idempotent: ops HTTP server, then the gRPC server (its
   * three-step shutdown), then the answer executor, then the publisher (flushing the producer),
   * then the registry.
   */
  public static final class Running implements AutoCloseable {
    private final int grpcPort;
    private final int httpPort;
    private final ContestGate contest;
    private final List<AutoCloseable> parts;
    private boolean closed;

    Running(int grpcPort, int httpPort, ContestGate contest, List<AutoCloseable> parts) {
      this.grpcPort = grpcPort;
      this.httpPort = httpPort;
      this.contest = contest;
      this.parts = List.copyOf(parts);
    }

    /** Blocks until the contest was read, so the next vote is judged against it (not UNAVAILABLE). */
    public void awaitContest(Duration timeout) throws InterruptedException {
      contest.awaitReady(timeout);
    }

    /** The bound gRPC port, also when started with {@code GRPC_PORT=0}. */
    public int grpcPort() {
      return grpcPort;
    }

    /** The bound health/metrics HTTP port, also when started with {@code HTTP_PORT=0}. */
    public int httpPort() {
      return httpPort;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      closeInReverse(parts);
      log.info("ingest-grpc stopped");
    }
  }
}
