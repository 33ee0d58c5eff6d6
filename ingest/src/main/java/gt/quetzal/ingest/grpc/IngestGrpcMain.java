package gt.quetzal.ingest.grpc;

import gt.quetzal.ingest.core.ClientRateLimit;
import gt.quetzal.ingest.core.IngestBackend;
import gt.quetzal.ingest.core.IngestOps;
import gt.quetzal.ingest.core.VotePublisher;
import gt.quetzal.kit.Closer;
import gt.quetzal.kit.ServiceMain;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
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
    ServiceMain.run(IngestGrpcConfig::fromEnv, IngestGrpcMain::start);
  }

  /**
   * Starts the publisher, the gRPC server and the HTTP server; the handle closes them in reverse
   * order. Kafka need not be up: until it is, health says NOT_SERVING, {@code /readyz} 503, and
   * votes get UNAVAILABLE.
   */
  public static Running start(IngestGrpcConfig config) {
    return ServiceMain.start(IngestGrpcConfig.SERVICE, config, (started, registry) -> {
      IngestBackend backend = IngestBackend.start(config.kafka(), config.rules(), registry, started);
      VotePublisher publisher = backend.publisher();
      ExecutorService executor =
          ExecutorServiceMetrics.monitor(
              registry, Executors.newFixedThreadPool(config.threads(), daemonThreads("ingest-grpc-")), "ingest-grpc");
      started.register(() -> shutdownExecutor(executor));

      VoteGrpcService service =
          new VoteGrpcService(
              backend.validator(),
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
      started.register(grpc);
      Javalin ops = IngestOps.endpoints(publisher, registry, Runnable::run).create().start(config.httpPort());
      started.register(ops::stop);
      log.info(
          "ingest-grpc listening on gRPC port {} (health and metrics on HTTP port {}), publishing to Kafka at {}",
          grpc.port(),
          ops.port(),
          config.kafka().bootstrapServers());
      return new Running(grpc.port(), ops.port(), backend, started);
    });
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

  /**
   * The running service: the bound gRPC port and health/metrics HTTP port (also when started on port 0).
   * {@link #close()} is idempotent: ops HTTP server, then the gRPC server (its three-step shutdown), then
   * the answer executor, then the publisher (flushing the producer), then the registry.
   */
  public record Running(int grpcPort, int httpPort, IngestBackend backend, Closer started)
      implements IngestBackend.Running {}
}
