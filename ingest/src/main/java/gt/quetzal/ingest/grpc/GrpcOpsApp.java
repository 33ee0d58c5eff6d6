package gt.quetzal.ingest.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import gt.quetzal.ingest.core.KafkaVotePublisher;
import gt.quetzal.ingest.core.PublisherHealth;
import gt.quetzal.ingest.core.VotePublisher;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * ingest-grpc's small HTTP port: {@code /healthz} (liveness), {@code /readyz} (the publisher can
 * reach Kafka; 503 with a JSON reason otherwise) and {@code /metrics} (Prometheus text). Kubernetes
 * probes and Prometheus scrape this rather than speaking gRPC.
 */
public final class GrpcOpsApp {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final VotePublisher publisher;
  private final PrometheusMeterRegistry registry;
  private final int port;

  public GrpcOpsApp(VotePublisher publisher, PrometheusMeterRegistry registry, int port) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.port = port;
  }

  /** A new, unstarted server. */
  public Javalin create() {
    return Javalin.create(
        cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.jetty.port = port;
          cfg.routes.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok"));
          cfg.routes.get("/readyz", this::readyz);
          cfg.routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
        });
  }

  private void readyz(Context ctx) {
    ctx.future(
        () ->
            publisher
                .health()
                .handle(
                    (health, error) -> {
                      PublisherHealth verdict =
                          error != null
                              ? PublisherHealth.down("health check failed: " + KafkaVotePublisher.unwrap(error))
                              : health;
                      Map<String, Object> body = new LinkedHashMap<>();
                      body.put("status", verdict.up() ? "ready" : "unavailable");
                      body.put(verdict.up() ? "kafka" : "reason", verdict.detail());
                      ctx.status(verdict.up() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                          .contentType("application/json")
                          .result(toJson(body));
                      return null;
                    }));
  }

  private static byte[] toJson(Object value) {
    try {
      return Json.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write response JSON", e);
    }
  }
}
