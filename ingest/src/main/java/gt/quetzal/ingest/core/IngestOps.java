package gt.quetzal.ingest.core;

import gt.quetzal.kit.Health;
import gt.quetzal.kit.OpsEndpoints;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code /healthz}, {@code /readyz} and {@code /metrics} of both ingest services ({@link OpsEndpoints}):
 * live while the process runs, ready while the publisher can reach Kafka and the contest was read
 * ({@code "kafka"} names what it reached). ingest-grpc serves them on its HTTP port (probes and
 * Prometheus do not speak gRPC); ingest-http on its own port, and on OPS_PORT when that is set.
 */
public final class IngestOps {

  private IngestOps() {}

  /** The readiness answer is written on {@code answers}, keeping Kafka's own threads free. */
  public static OpsEndpoints endpoints(VotePublisher publisher, PrometheusMeterRegistry registry, Executor answers) {
    return OpsEndpoints.async(registry, () -> Health.OK, () -> readiness(publisher), answers);
  }

  static CompletionStage<Health> readiness(VotePublisher publisher) {
    return publisher
        .health()
        .handle(
            (health, error) -> {
              if (error != null) {
                return Health.down("health check failed: " + KafkaVotePublisher.unwrap(error));
              }
              return health.up() ? Health.OK.with("kafka", health.detail()) : Health.down(health.detail());
            });
  }
}
