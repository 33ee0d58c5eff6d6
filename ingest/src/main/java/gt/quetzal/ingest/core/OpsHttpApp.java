package gt.quetzal.ingest.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The operational HTTP port both ingest services can run: {@code /healthz} (liveness), {@code
 * /readyz} (the publisher can reach Kafka; 503 with a JSON reason otherwise) and {@code /metrics}
 * (Prometheus text). ingest-grpc always has it (probes and Prometheus do not speak gRPC);
 * ingest-http has it when OPS_PORT is set, so /metrics stays off the port the Ingress exposes.
 */
public final class OpsHttpApp {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final VotePublisher publisher;
  private final PrometheusMeterRegistry registry;
  private final int port;

  public OpsHttpApp(VotePublisher publisher, PrometheusMeterRegistry registry, int port) {
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
    answerReadiness(ctx, publisher, Runnable::run);
  }

  /**
   * {@code /readyz} for both ingest services: 200 with the broker it reached, or 503 with the reason.
   * The answer is written on {@code responses}, so a caller can keep Kafka's own threads free.
   */
  public static void answerReadiness(Context ctx, VotePublisher publisher, Executor responses) {
    ctx.future(
        () ->
            publisher
                .health()
                .handleAsync(
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
                    },
                    responses));
  }

  private static byte[] toJson(Object value) {
    try {
      return Json.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write response JSON", e);
    }
  }
}
