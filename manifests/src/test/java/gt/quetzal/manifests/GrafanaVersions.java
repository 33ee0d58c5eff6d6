package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana and redis-datasource versions, pinned twice: in grafana/image/Dockerfile (the offline
 * image) and in the manifests (the online preinstall and the offline component). Both paths must name
 * the same versions.
 */
final class GrafanaVersions {

  /** The image grafana/image builds; the grafana-offline component runs it. */
  static final String OFFLINE_REPOSITORY = "localhost/quetzal/grafana";
  static final String PLUGIN = "redis-datasource";

  record Pins(String grafana, String plugin, String sha256, String pluginsPath) {

    String onlineImage() {
      return "grafana/grafana:" + grafana;
    }

    String offlineImage() {
      return OFFLINE_REPOSITORY + ":" + grafana + "-" + PLUGIN + "-" + plugin;
    }

    String preinstall() {
      return PLUGIN + "@" + plugin;
    }
  }

  private GrafanaVersions() {}

  /** The ARG defaults and GF_PATHS_PLUGINS of the Dockerfile. */
  static Pins fromDockerfile(String text) {
    Map<String, String> values = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^(?:ARG|ENV)\\s+([A-Z_0-9]+)=(\\S+)\\s*$").matcher(text);
    while (m.find()) {
      values.put(m.group(1), m.group(2));
    }
    return new Pins(values.get("GRAFANA_VERSION"), values.get("REDIS_DATASOURCE_VERSION"),
        values.get("REDIS_DATASOURCE_SHA256"), values.get("GF_PATHS_PLUGINS"));
  }

  /** Problems with how a deployment runs Grafana, compared with the pins; offline or online by its image. */
  static List<String> check(Pins pins, Rendered rendered) {
    List<String> problems = new ArrayList<>();
    if (pins.grafana() == null || pins.plugin() == null || pins.pluginsPath() == null
        || pins.sha256() == null || !pins.sha256().matches("[0-9a-f]{64}")) {
      problems.add("grafana/image/Dockerfile must pin GRAFANA_VERSION, REDIS_DATASOURCE_VERSION, a sha256 and GF_PATHS_PLUGINS: " + pins);
      return problems;
    }
    Optional<Rendered.Workload> grafana = rendered.workload("grafana");
    if (grafana.isEmpty()) {
      problems.add(rendered.name() + ": no grafana Deployment");
      return problems;
    }
    Container c = grafana.get().containers().get(0);
    Map<String, String> env = new TreeMap<>();
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      env.put(e.getName(), e.getValue());
    }
    String where = rendered.name() + " grafana";
    String version = grafana.get().podLabels().get("app.kubernetes.io/version");
    if (!pins.grafana().equals(version)) {
      problems.add(where + ": label app.kubernetes.io/version=" + version + ", but the Dockerfile pins Grafana " + pins.grafana());
    }
    if (String.valueOf(c.getImage()).startsWith(OFFLINE_REPOSITORY + ":")) {
      if (!pins.offlineImage().equals(c.getImage())) {
        problems.add(where + ": image " + c.getImage() + ", but grafana/image builds " + pins.offlineImage());
      }
      if (env.containsKey("GF_PLUGINS_PREINSTALL_SYNC")) {
        problems.add(where + ": the plugin is in the image, yet GF_PLUGINS_PREINSTALL_SYNC would download it at start");
      }
      if (!pins.pluginsPath().equals(env.get("GF_PATHS_PLUGINS"))) {
        problems.add(where + ": GF_PATHS_PLUGINS=" + env.get("GF_PATHS_PLUGINS") + ", but the image puts the plugin in " + pins.pluginsPath());
      }
    } else {
      if (!pins.onlineImage().equals(c.getImage())) {
        problems.add(where + ": image " + c.getImage() + ", but the pinned Grafana is " + pins.onlineImage());
      }
      if (!pins.preinstall().equals(env.get("GF_PLUGINS_PREINSTALL_SYNC"))) {
        problems.add(where + ": GF_PLUGINS_PREINSTALL_SYNC=" + env.get("GF_PLUGINS_PREINSTALL_SYNC") + ", must be " + pins.preinstall());
      }
    }
    return problems;
  }
}
