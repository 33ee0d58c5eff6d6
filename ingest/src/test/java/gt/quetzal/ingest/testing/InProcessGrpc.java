package gt.quetzal.ingest.testing;

import gt.quetzal.ingest.core.UuidV7Generator;
import gt.quetzal.ingest.core.VoteRules;
import gt.quetzal.ingest.core.VoteValidator;
import gt.quetzal.ingest.grpc.IngestGrpcServer;
import gt.quetzal.ingest.grpc.VoteGrpcService;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The real gRPC server and service over the in-process transport, on a publisher the test drives. */
public final class InProcessGrpc implements AutoCloseable {

  /** The fixed "now" of the validator's clock, so year limits and receivedAt are predictable. */
  public static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");

  public final ControlledPublisher publisher;
  public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  public final VoteGrpcService service;
  public final IngestGrpcServer server;
  public final ManagedChannel channel;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  public InProcessGrpc(ControlledPublisher publisher, VoteGrpcService.Settings settings) {
    this(publisher, settings, new ServerInterceptor[0]);
  }

  /** With interceptors around the vote service, as {@code IngestGrpcMain} adds them (e.g. rate limiting). */
  public InProcessGrpc(ControlledPublisher publisher, VoteGrpcService.Settings settings, ServerInterceptor... interceptors) {
    this(publisher, settings, validator(), interceptors);
  }

  /** The validator every in-process server uses unless a test gives its own (e.g. with a contest). */
  public static VoteValidator validator() {
    return new VoteValidator(VoteRules.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC), new UuidV7Generator(Clock.systemUTC())::nextString);
  }

  public InProcessGrpc(
      ControlledPublisher publisher,
      VoteGrpcService.Settings settings,
      VoteValidator validator,
      ServerInterceptor... interceptors) {
    this.publisher = publisher;
    this.service = new VoteGrpcService(validator, publisher, registry, settings, executor);
    String name = InProcessServerBuilder.generateName();
    this.server =
        new IngestGrpcServer(
                InProcessServerBuilder.forName(name).executor(executor),
                service,
                publisher,
                16_384,
                Duration.ofMillis(50),
                Duration.ofSeconds(2),
                interceptors)
            .start();
    this.channel = InProcessChannelBuilder.forName(name).executor(executor).build();
  }

  public InProcessGrpc(ControlledPublisher publisher) {
    this(publisher, new VoteGrpcService.Settings(10_000, 2_000, 64));
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.close();
    executor.shutdownNow();
  }
}
