package gt.quetzal.ingest.grpc;

import gt.quetzal.ingest.core.PublisherHealth;
import gt.quetzal.ingest.core.VotePublisher;
import gt.quetzal.kit.DaemonThreads;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server: {@link VoteGrpcService}, the standard {@code grpc.health.v1.Health} service and
 * server reflection (v1), with the inbound message size capped.
 *
 * <p>It takes the {@link ServerBuilder} rather than a port, so production passes a Netty builder
 * and tests an in-process one. Health is {@code NOT_SERVING} until the first check and then follows
 * the publisher's health (both the whole server, {@code ""}, and {@code quetzal.v1.VoteService}),
 * refreshed every {@code healthPoll}.
 *
 * <p>{@link #close()} shuts down in three steps: announce NOT_SERVING and ask open streams to
 * finish, then {@code shutdown()} (no new calls; calls in flight finish) and {@code
 * awaitTermination} bounded by {@code shutdownTimeout}, then {@code shutdownNow()} for whatever is
 * left. The caller closes the publisher afterwards, so every vote a call was answered for is flushed.
 */
public final class IngestGrpcServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IngestGrpcServer.class);
  static final long FORCED_TERMINATION_WAIT_MS = 1_000;

  private final Server server;
  private final VoteGrpcService service;
  private final VotePublisher publisher;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Duration healthPoll;
  private final Duration shutdownTimeout;
  private final ScheduledExecutorService healthChecks =
      DaemonThreads.scheduler("ingest-grpc-health");
  private boolean started;
  private boolean closed;

  /**
   * @param builder                a server builder for the transport (Netty with a port, or in-process)
   * @param maxInboundMessageBytes largest request message; larger gets RESOURCE_EXHAUSTED
   * @param interceptors           wrapped around the vote service only (not health or reflection),
   *                               the first one outermost; e.g. {@link RateLimitInterceptor}
   */
  public IngestGrpcServer(
      ServerBuilder<?> builder,
      VoteGrpcService service,
      VotePublisher publisher,
      int maxInboundMessageBytes,
      Duration healthPoll,
      Duration shutdownTimeout,
      ServerInterceptor... interceptors) {
    this.service = Objects.requireNonNull(service, "service");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.healthPoll = Objects.requireNonNull(healthPoll, "healthPoll");
    this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    setStatus(ServingStatus.NOT_SERVING);
    this.server =
        builder
            .addService(ServerInterceptors.interceptForward(service, interceptors))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .maxInboundMessageSize(maxInboundMessageBytes)
            .build();
  }

  /** Binds and starts serving; health checks begin at once. */
  public synchronized IngestGrpcServer start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the gRPC server: " + e.getMessage(), e);
    }
    started = true;
    healthChecks.scheduleWithFixedDelay(this::refreshHealth, 0, healthPoll.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The bound port (for {@code GRPC_PORT=0}); -1 for transports without one, such as in-process. */
  public int port() {
    return server.getPort();
  }

  private void refreshHealth() {
    publisher
        .health()
        .whenComplete(
            (verdict, error) -> {
              boolean up = error == null && verdict != null && verdict.up();
              setStatus(up ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
              if (!up) {
                log.debug("not serving: {}", error != null ? error.toString() : describe(verdict));
              }
            });
  }

  private static String describe(PublisherHealth verdict) {
    return verdict == null ? "no health verdict" : verdict.detail();
  }

  private void setStatus(ServingStatus status) {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    health.setStatus(VoteServiceGrpc.SERVICE_NAME, status);
  }

  /** Idempotent; see the class comment for the steps. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    healthChecks.shutdownNow();
    health.enterTerminalState(); // NOT_SERVING for everyone, and it stays so
    service.beginShutdown();
    if (!started) {
      return;
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("gRPC calls still running after {} ms; cancelling them", shutdownTimeout.toMillis());
        server.shutdownNow();
        server.awaitTermination(FORCED_TERMINATION_WAIT_MS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
