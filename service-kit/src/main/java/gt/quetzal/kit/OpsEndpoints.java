package gt.quetzal.kit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@code /healthz}, {@code /readyz} and {@code /metrics}, the same on every service.
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 {@code ok} (text/plain) while live; else 503
 *       {@code {"status":"down","reasons":[…],…details}}. Liveness fails only when a restart may help.
 *   <li>{@code GET /readyz}: 200 {@code {"status":"ready","reasons":[],…details}}, or 503
 *       {@code {"status":"not ready","reasons":[…],…details}} while a dependency cannot be reached.
 *   <li>{@code GET /metrics}: the registry in Prometheus text.
 * </ul>
 */
public final class OpsEndpoints {

  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrometheusMeterRegistry registry;
  private final Supplier<Health> liveness;
  private final Supplier<? extends CompletionStage<Health>> readiness;
  private final Executor answers;

  private OpsEndpoints(
      PrometheusMeterRegistry registry,
      Supplier<Health> liveness,
      Supplier<? extends CompletionStage<Health>> readiness,
      Executor answers) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.liveness = Objects.requireNonNull(liveness, "liveness");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    this.answers = answers;
  }

  /** Probes answered on the request's thread. */
  public static OpsEndpoints of(PrometheusMeterRegistry registry, Supplier<Health> liveness, Supplier<Health> readiness) {
    Objects.requireNonNull(readiness, "readiness");
    return new OpsEndpoints(registry, liveness, () -> CompletableFuture.completedFuture(readiness.get()), null);
  }

  /**
   * A readiness check that answers later (a broker round trip); the answer is written on {@code answers},
   * so the thread that completes the check (a Kafka client's own) never writes a response.
   */
  public static OpsEndpoints async(
      PrometheusMeterRegistry registry,
      Supplier<Health> liveness,
      Supplier<? extends CompletionStage<Health>> readiness,
      Executor answers) {
    return new OpsEndpoints(registry, liveness, readiness, Objects.requireNonNull(answers, "answers"));
  }

  /** All three routes. */
  public void addTo(JavalinConfig cfg) {
    addProbes(cfg);
    addMetrics(cfg);
  }

  /** {@code /healthz} and {@code /readyz}. */
  public void addProbes(JavalinConfig cfg) {
    cfg.routes.get("/healthz", this::health);
    cfg.routes.get("/readyz", this::ready);
  }

  /** {@code /metrics}. */
  public void addMetrics(JavalinConfig cfg) {
    cfg.routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
  }

  /** An unstarted server with these three routes only, for a port of their own. */
  public Javalin create() {
    return Javalin.create(
        cfg -> {
          cfg.startup.showJavalinBanner = false;
          addTo(cfg);
        });
  }

  private void health(Context ctx) {
    Health health = check(liveness);
    if (health.ok()) {
      ctx.contentType("text/plain").result("ok");
    } else {
      answer(ctx, 503, "down", health);
    }
  }

  private void ready(Context ctx) {
    if (answers == null) { // a synchronous check: its future is already complete
      answerReadiness(ctx, check(() -> readiness.get().toCompletableFuture().join()));
      return;
    }
    ctx.future(
        () -> {
          CompletionStage<Health> pending;
          try {
            pending = readiness.get();
          } catch (RuntimeException e) {
            pending = CompletableFuture.failedFuture(e);
          }
          return pending
              .handleAsync(
                  (health, error) -> {
                    answerReadiness(ctx, error == null ? health : failed(error));
                    return null;
                  },
                  answers)
              .toCompletableFuture();
        });
  }

  private static void answerReadiness(Context ctx, Health health) {
    answer(ctx, health.ok() ? 200 : 503, health.ok() ? "ready" : "not ready", health);
  }

  /** A check that throws is a failed check, named as such: the probe itself must still answer. */
  private static Health check(Supplier<Health> probe) {
    try {
      return probe.get();
    } catch (RuntimeException e) {
      return failed(e);
    }
  }

  private static Health failed(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return Health.down("the check failed: " + cause);
  }

  private static void answer(Context ctx, int status, String word, Health health) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", word);
    body.put("reasons", health.problems());
    body.putAll(health.details());
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a probe's answer", e);
    }
    ctx.status(status).contentType("application/json").result(json);
  }
}
