package gt.quetzal.kit;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The one place a service's meter registry is made: Prometheus, with the same JVM and process meters everywhere. */
public final class ServiceMetrics {

  private ServiceMetrics() {}

  /** {@link #prometheus()}, closed by {@code started} after everything registered later. */
  public static PrometheusMeterRegistry prometheus(Closer started) {
    PrometheusMeterRegistry registry = prometheus();
    started.register(registry::close);
    return registry;
  }

  /**
   * A new registry with memory, threads, CPU and uptime bound, so the operations dashboard finds the
   * same series on every service. The caller closes it last.
   */
  public static PrometheusMeterRegistry prometheus() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }
}
