package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiFunction;

/**
 * Prometheus can scrape every service where it serves /metrics: the pod template asks for it with the
 * prometheus.io annotations on the port the service's own config says, the network policies let the
 * prometheus pod in on that port, the scrape config keeps annotated pods, and Grafana can reach
 * Prometheus.
 */
final class MetricsScraping {

  static final String SCRAPE = "prometheus.io/scrape";
  static final String PORT = "prometheus.io/port";
  static final String PATH = "prometheus.io/path";

  private MetricsScraping() {}

  /** {@code metricsPort} answers, for a service container, the port its config serves /metrics on. */
  static List<String> check(Rendered r, BiFunction<Rendered.Workload, Container, OptionalInt> metricsPort) {
    List<String> problems = new ArrayList<>();
    Optional<Rendered.Workload> prometheus = r.workload("prometheus");
    if (prometheus.isEmpty()) {
      problems.add(r.name() + ": there is no prometheus Deployment, so the operations dashboard has no data");
      return problems;
    }
    String config = r.configMap("prometheus-config").map(cm -> cm.getData().get("prometheus.yml")).orElse("");
    if (!config.contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape")
        || !config.contains("__meta_kubernetes_pod_annotation_prometheus_io_port")) {
      problems.add(r.name() + ": ConfigMap prometheus-config does not scrape pods by their prometheus.io annotations");
    }
    NetworkPolicies.Peer scraper = NetworkPolicies.pod(r, prometheus.get());
    for (Rendered.Workload w : r.workloads()) {
      for (Container c : w.containers()) {
        if (QuetzalService.byContainer(c.getName()).isEmpty() || !w.longRunning()) {
          continue;
        }
        OptionalInt port = metricsPort.apply(w, c);
        if (port.isEmpty()) {
          continue;
        }
        Map<String, String> annotations = w.template().getMetadata() == null
            || w.template().getMetadata().getAnnotations() == null ? Map.of() : w.template().getMetadata().getAnnotations();
        String where = r.name() + ": " + w + " pod template";
        if (!"true".equals(annotations.get(SCRAPE))) {
          problems.add(where + ": annotate " + SCRAPE + ": \"true\", or Prometheus never scrapes it");
        }
        if (!String.valueOf(port.getAsInt()).equals(annotations.get(PORT))) {
          problems.add(where + ": " + PORT + " is " + annotations.get(PORT) + ", but " + c.getName()
              + " serves /metrics on " + port.getAsInt());
        }
        if (!"/metrics".equals(annotations.get(PATH))) {
          problems.add(where + ": " + PATH + " must be /metrics");
        }
        if (!NetworkPolicies.allows(r, scraper, w, port.getAsInt())) {
          problems.add(r.name() + ": the network policies do not let " + prometheus.get() + " reach " + w
              + " on its metrics port " + port.getAsInt());
        }
      }
    }
    Optional<Rendered.Workload> grafana = r.workload("grafana");
    if (grafana.isPresent() && !NetworkPolicies.allows(r, NetworkPolicies.pod(r, grafana.get()), prometheus.get(), 9090)) {
      problems.add(r.name() + ": the network policies do not let Grafana query " + prometheus.get() + " on 9090");
    }
    return problems;
  }
}
