package gt.quetzal.sinks;

import gt.quetzal.contract.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sinks' probes and metrics. Liveness fails only when a loop crashed (a restart may help); readiness
 * also fails while a store is unreachable or a loop is not running (traffic would not help, nor hurt).
 * The whole port is operational: the Ingress never routes to the sinks, so it needs no separate OPS_PORT.
 */
public final class SinksHttp {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final List<? extends SinkStatus> sinks;

  public SinksHttp(PrometheusMeterRegistry registry, List<? extends SinkStatus> sinks) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.sinks = List.copyOf(sinks);
  }

  /** An unstarted app. */
  public Javalin create() {
    return Javalin.create(
        cfg -> {
          cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
          cfg.startup.showJavalinBanner = false;
          cfg.routes.get("/healthz", this::health);
          cfg.routes.get("/readyz", this::ready);
          cfg.routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
        });
  }

  private void health(Context ctx) {
    List<String> crashed = new ArrayList<>();
    for (SinkStatus sink : sinks) {
      if (sink.crashed()) {
        crashed.add(sink.store() + " sink loop crashed");
      }
    }
    if (crashed.isEmpty()) {
      ctx.result("ok");
    } else {
      ctx.status(503).json(status("down", crashed));
    }
  }

  private void ready(Context ctx) {
    List<String> reasons = new ArrayList<>();
    for (SinkStatus sink : sinks) {
      if (!sink.alive()) {
        reasons.add(sink.store() + " sink loop is not running");
      } else if (!sink.storeUp()) {
        reasons.add(sink.store() + " is unreachable");
      }
    }
    if (reasons.isEmpty()) {
      ctx.json(status("ready", reasons));
    } else {
      ctx.status(503).json(status("not ready", reasons));
    }
  }

  private static Map<String, Object> status(String status, List<String> reasons) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("reasons", reasons);
    return body;
  }
}
