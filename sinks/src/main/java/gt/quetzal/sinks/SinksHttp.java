package gt.quetzal.sinks;

import gt.quetzal.kit.Health;
import gt.quetzal.kit.OpsEndpoints;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The sinks' probes and metrics ({@link OpsEndpoints}). Liveness fails only when a loop crashed (a restart
 * may help); readiness also fails while a store is unreachable or a loop is not running (traffic would not
 * help, nor hurt). The whole port is operational: the Ingress never routes to the sinks, so it needs no
 * separate OPS_PORT.
 */
public final class SinksHttp {

  private final PrometheusMeterRegistry registry;
  private final List<? extends SinkStatus> sinks;

  public SinksHttp(PrometheusMeterRegistry registry, List<? extends SinkStatus> sinks) {
    this.registry = registry;
    this.sinks = List.copyOf(sinks);
  }

  /** An unstarted app. */
  public Javalin create() {
    return OpsEndpoints.of(registry, this::liveness, this::readiness).create();
  }

  private Health liveness() {
    List<String> crashed = new ArrayList<>();
    for (SinkStatus sink : sinks) {
      if (sink.crashed()) {
        crashed.add(sink.store() + " sink loop crashed");
      }
    }
    return Health.of(crashed);
  }

  private Health readiness() {
    List<String> reasons = new ArrayList<>();
    for (SinkStatus sink : sinks) {
      if (!sink.alive()) {
        reasons.add(sink.store() + " sink loop is not running");
      } else if (!sink.storeUp()) {
        reasons.add(sink.store() + " is unreachable");
      }
    }
    return Health.of(reasons);
  }
}
