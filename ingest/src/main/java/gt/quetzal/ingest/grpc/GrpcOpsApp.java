package gt.quetzal.ingest.grpc;

import gt.quetzal.ingest.core.OpsHttpApp;
import gt.quetzal.ingest.core.VotePublisher;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * ingest-grpc's small HTTP port: {@code /healthz}, {@code /readyz} and {@code /metrics}, as {@link
 * OpsHttpApp} serves them. Kubernetes probes and Prometheus scrape this rather than speaking gRPC.
 */
public final class GrpcOpsApp {

  private final OpsHttpApp ops;

  public GrpcOpsApp(VotePublisher publisher, PrometheusMeterRegistry registry, int port) {
    this.ops = new OpsHttpApp(publisher, registry, port);
  }

  /** A new, unstarted server. */
  public Javalin create() {
    return ops.create();
  }
}
