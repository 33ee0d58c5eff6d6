package gt.quetzal.manifests;

import static gt.quetzal.manifests.Breaks.container;
import static gt.quetzal.manifests.Breaks.doc;
import static gt.quetzal.manifests.Breaks.local;
import static gt.quetzal.manifests.Breaks.podAnnotations;
import static gt.quetzal.manifests.Breaks.podSpec;
import static gt.quetzal.manifests.Breaks.section;
import static gt.quetzal.manifests.Breaks.setEnv;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows of {@link BrokenCopiesTest}: labels, probes, resources, security, volumes, images, budgets. */
final class PodBreaks {

  private PodBreaks() {}

  private static final String D = "Deployment/";
  private static final String S = "StatefulSet/";

  static final List<Breaks> ROWS = List.of(
      // ---- labels and selectors
      local("a missing label and an over-eager selector", docs -> {
        Map<String, Object> web = doc(docs, "Deployment", "web");
        Yaml.cast(Yaml.at(web, "spec", "template", "metadata", "labels")).remove("app.kubernetes.io/component");
        Yaml.cast(Yaml.at(web, "spec", "selector", "matchLabels")).put("app.kubernetes.io/version", "0.1.0-SNAPSHOT");
      },
          D + "web pod template: label app.kubernetes.io/component is missing",
          D + "web: the selector must use exactly " + Wiring.SELECTOR_KEYS + " (immutable once applied), not "
              + "[app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/version]"),
      local("an invalid label value", docs -> Yaml.cast(Yaml.at(doc(docs, "Deployment", "web"), "metadata", "labels"))
          .put("app.kubernetes.io/part-of", "-quetzal"),
          D + "web: label app.kubernetes.io/part-of=-quetzal is not a valid label value"),
      local("a selector with matchExpressions", docs -> Yaml.cast(Yaml.at(doc(docs, "Deployment", "web"), "spec", "selector"))
          .put("matchExpressions", List.of(new LinkedHashMap<>(Map.of("key", "tier", "operator", "Exists")))),
          D + "web: the selector uses matchExpressions; select on name and instance labels only",
          D + "web: the selector does not match its own pod template's labels"),
      local("a Service selecting on an extra key", docs -> Yaml.cast(Yaml.at(doc(docs, "Service", "web"), "spec", "selector"))
          .put("app.kubernetes.io/component", "web"),
          "Service/web: the selector must use exactly " + Wiring.SELECTOR_KEYS + ", not "
              + "[app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component]",
          "Service/web: its selector {app.kubernetes.io/name=web, app.kubernetes.io/instance=quetzal, app.kubernetes.io/component=web}"
              + " matches no pod template"),
      // ---- services
      local("a wrong Service selector", docs -> Yaml.cast(Yaml.at(doc(docs, "Service", "ingest-http"), "spec", "selector"))
          .put(Wiring.NAME, "ingest-htpp"),
          "Service/ingest-http: its selector {app.kubernetes.io/name=ingest-htpp, app.kubernetes.io/instance=quetzal} matches no pod template"),
      local("a wrong targetPort", docs -> Yaml.cast(Yaml.at(doc(docs, "Service", "web"), "spec", "ports", 0)).put("targetPort", "htp"),
          "Service/web port 8088: targetPort htp is not a container port of Deployment/web"),
      local("a StatefulSet governed by a missing Service", docs -> Yaml.cast(doc(docs, "StatefulSet", "redis").get("spec"))
          .put("serviceName", "redis-hedless"),
          S + "redis: serviceName redis-hedless is not a Service here"),
      local("a governing Service that is not headless", docs -> Yaml.cast(doc(docs, "Service", "redis-headless").get("spec"))
          .remove("clusterIP"),
          S + "redis: its governing Service redis-headless must be headless (clusterIP: None) for per-pod DNS names"),
      // ---- probes
      local("no readiness and no liveness probe", docs -> {
        container(docs, "Deployment", "sinks").remove("readinessProbe");
        container(docs, "Deployment", "sinks").remove("livenessProbe");
      }, D + "sinks container sinks: no readiness probe", D + "sinks container sinks: no liveness probe"),
      local("a wrong probe port", docs -> Yaml.cast(section(docs, "Deployment", "sinks", "readinessProbe").get("httpGet"))
          .put("port", "metrics"),
          D + "sinks container sinks readinessProbe: port metrics is not a port of the container"),
      local("a probe without a handler", docs -> section(docs, "Deployment", "sinks", "startupProbe").remove("httpGet"),
          D + "sinks container sinks startupProbe: no probe handler"),
      local("a liveness probe on the readiness path", docs -> Yaml.cast(section(docs, "Deployment", "sinks", "livenessProbe")
          .get("httpGet")).put("path", "/readyz"),
          D + "sinks container sinks livenessProbe: expected path /healthz, got /readyz"),
      local("a gRPC server probed over HTTP", docs -> {
        Map<String, Object> probe = section(docs, "Deployment", "ingest-grpc", "readinessProbe");
        probe.remove("grpc");
        probe.put("tcpSocket", new LinkedHashMap<>(Map.of("port", "grpcc")));
      },
          D + "ingest-grpc container ingest-grpc readinessProbe: port grpcc is not a port of the container",
          D + "ingest-grpc container ingest-grpc: a gRPC server gets a native grpc readiness probe on its grpc port"),
      local("a gRPC probe on a port the container lacks", docs -> Yaml.cast(section(docs, "Deployment", "ingest-grpc", "readinessProbe")
          .get("grpc")).put("port", 9999),
          D + "ingest-grpc container ingest-grpc readinessProbe: gRPC port 9999 is not a port of the container",
          D + "ingest-grpc container ingest-grpc: a gRPC server gets a native grpc readiness probe on its grpc port"),
      // ---- resources
      local("no memory limit", docs -> Yaml.cast(section(docs, "Deployment", "web", "resources").get("limits")).remove("memory"),
          D + "web container web: needs both a memory request and limit",
          D + "web container web: a JVM without a memory limit cannot be budgeted"),
      local("a CPU request above its limit", docs -> Yaml.cast(section(docs, "Deployment", "web", "resources").get("requests"))
          .put("cpu", "3"),
          D + "web container web: the cpu request 3 exceeds the limit 500m"),
      // ---- security
      local("a pod without seccomp, root, service links and a token", docs -> {
        Map<String, Object> spec = podSpec(docs, "StatefulSet", "mongodb");
        Map<String, Object> pod = Yaml.cast(spec.get("securityContext"));
        pod.remove("seccompProfile");
        pod.remove("runAsNonRoot");
        spec.remove("enableServiceLinks");
        spec.remove("automountServiceAccountToken");
      },
          S + "mongodb: set enableServiceLinks: false",
          S + "mongodb: set automountServiceAccountToken: false (no pod here talks to the API server)",
          S + "mongodb: the pod needs seccompProfile RuntimeDefault",
          S + "mongodb container mongodb: must run as a non-root user (runAsNonRoot and a non-zero runAsUser)"),
      local("a container that may escalate, writes its root and keeps its capabilities", docs -> {
        Map<String, Object> sc = section(docs, "StatefulSet", "redis", "securityContext");
        sc.put("allowPrivilegeEscalation", true);
        sc.put("readOnlyRootFilesystem", false);
        sc.remove("capabilities");
      },
          S + "redis container redis: set allowPrivilegeEscalation: false",
          S + "redis container redis: set readOnlyRootFilesystem: true",
          S + "redis container redis: drop ALL capabilities"),
      local("Prometheus without its ServiceAccount", docs -> podSpec(docs, "Deployment", "prometheus").remove("serviceAccountName"),
          D + "prometheus: runs as the prometheus ServiceAccount (pod discovery needs its Role)"),
      // ---- volumes
      local("a volume from a missing ConfigMap", docs -> Yaml.cast(Yaml.at(podSpec(docs, "StatefulSet", "redis"), "volumes", 0, "configMap"))
          .put("name", "redis-confg"),
          S + "redis volume config: ConfigMap redis-confg does not exist"),
      local("a mount of no volume", docs -> Yaml.list(container(docs, "Deployment", "sinks").get("volumeMounts")).stream().map(Yaml::cast)
          .filter(m -> "/tmp".equals(m.get("mountPath"))).findFirst().orElseThrow().put("name", "tmpp"),
          D + "sinks container sinks: mounts tmpp, which is neither a volume nor a volume claim template",
          D + "sinks container sinks: the root filesystem is read-only, so mount a writable emptyDir at /tmp"),
      local("a script missing from its ConfigMap", docs -> Yaml.list(container(docs, "StatefulSet", "kafka").get("command"))
          .set(1, "/etc/quetzal/kafka/strat.sh"),
          S + "kafka container kafka: /etc/quetzal/kafka/strat.sh is not a key of ConfigMap kafka-scripts"),
      // ---- images
      local("an image on latest", docs -> container(docs, "StatefulSet", "redis").put("image", "redis:latest"),
          S + "redis container redis: pin the image to a tag (got redis:latest)"),
      local("a version label off the image tag", docs -> Yaml.cast(Yaml.at(doc(docs, "Deployment", "web"), "spec", "template",
          "metadata", "labels")).put("app.kubernetes.io/version", "0.0.9"),
          D + "web container web: label app.kubernetes.io/version=0.0.9 does not match the image tag 0.1.0-SNAPSHOT"),
      local("a wrong image", docs -> container(docs, "Deployment", "sinks").put("image", "localhost/quetzal/sinks:0.0.9"),
          D + "sinks container sinks: image must be localhost/quetzal/sinks:0.1.0-SNAPSHOT (what Jib builds for module sinks), "
              + "got localhost/quetzal/sinks:0.0.9"),
      local("a local image pulled Always", docs -> container(docs, "Deployment", "sinks").put("imagePullPolicy", "Always"),
          D + "sinks container sinks: imagePullPolicy must be one of [IfNotPresent, Never] for an image from localhost, got Always"),
      local("a service image without a registry", docs -> container(docs, "Deployment", "sinks").put("image", "quetzal/sinks:0.1.0-SNAPSHOT"),
          D + "sinks container sinks: image quetzal/sinks:0.1.0-SNAPSHOT names no registry, so the kubelet would pull "
              + "docker.io/quetzal/sinks:0.1.0-SNAPSHOT; use localhost/quetzal/sinks:0.1.0-SNAPSHOT (what Jib builds) or your registry"),
      local("a Quetzal image in an unknown container", docs -> container(docs, "Deployment", "sinks").put("name", "sink"),
          D + "sinks container sink: runs a Quetzal image but is not a known service container"),
      local("a gRPC container starting the wrong main", docs -> Yaml.list(container(docs, "Deployment", "ingest-grpc").get("command"))
          .set(3, "gt.quetzal.ingest.http.IngestHttpMain"),
          D + "ingest-grpc container ingest-grpc: must run [java, -cp, @/app/jib-classpath-file, gt.quetzal.ingest.grpc.IngestGrpcMain], "
              + "got [java, -cp, @/app/jib-classpath-file, gt.quetzal.ingest.http.IngestHttpMain]"),
      local("a service run as another user", docs -> Yaml.cast(podSpec(docs, "Deployment", "web").get("securityContext"))
          .put("runAsUser", 1000),
          D + "web: runAsUser must be 65532, the user Jib's image runs as"),
      // ---- disruption budgets and rollouts
      local("a budget that selects nothing", docs -> Yaml.cast(Yaml.at(doc(docs, "PodDisruptionBudget", "sinks"), "spec", "selector",
          "matchLabels")).put(Wiring.NAME, "sink"),
          "PodDisruptionBudget/sinks: selects no pods",
          D + "sinks: no PodDisruptionBudget selects it, so a drain may evict all of its pods at once"),
      local("a budget that blocks every drain", docs -> {
        Map<String, Object> spec = Yaml.cast(doc(docs, "PodDisruptionBudget", "sinks").get("spec"));
        spec.remove("maxUnavailable");
        spec.put("minAvailable", 2);
      }, "PodDisruptionBudget/sinks: minAvailable 2 with as few as 1 replicas would block every node drain"),
      local("a budget selecting on an extra key", docs -> Yaml.cast(Yaml.at(doc(docs, "PodDisruptionBudget", "sinks"), "spec", "selector",
          "matchLabels")).put("app.kubernetes.io/part-of", "quetzal"),
          "PodDisruptionBudget/sinks: the selector must use exactly " + Wiring.SELECTOR_KEYS + ", not "
              + "[app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/part-of]"),
      local("a routed pod that stops without a pause", docs -> Yaml.cast(Yaml.at(container(docs, "Deployment", "web"), "lifecycle",
          "preStop", "sleep")).put("seconds", 1),
          D + "web container web: preStop sleeps 1 s; it needs at least 5 s so Traefik stops routing before the pod stops answering"),
      local("a static member id that is not the pod name", docs -> setEnv(docs, "Deployment", "sinks", "GROUP_INSTANCE_ID", "sinks-0"),
          D + "sinks container sinks: GROUP_INSTANCE_ID must be the pod name (fieldRef metadata.name, directly or as $(VAR)), got sinks-0"),
      local("streams state without claims, rolled on delete", docs -> {
        Map<String, Object> spec = Yaml.cast(doc(docs, "StatefulSet", "streams-app").get("spec"));
        spec.remove("volumeClaimTemplates");
        spec.put("updateStrategy", new LinkedHashMap<>(Map.of("type", "OnDelete")));
      }, "StatefulSet/streams-app has no volumeClaimTemplates, so every restart restores its state from the changelogs",
          "StatefulSet/streams-app uses OnDelete, so an apply never rolls it"),
      // ---- memory budget
      local("a JVM limit below its budget", docs -> {
        Yaml.cast(section(docs, "Deployment", "web", "resources").get("limits")).put("memory", "200Mi");
        Yaml.cast(section(docs, "Deployment", "web", "resources").get("requests")).put("memory", "200Mi");
      }, D + "web container web: memory limit 200 MiB is below what the JVM takes: heap 100 + RocksDB 0 + metaspace 80 + code cache 48"
          + " + 40 threads × 1 + headroom 32 = 300 MiB; lower the heap or ROCKSDB_CACHE_BYTES, or raise the limit"),
      local("a scrape annotation missing", docs -> podAnnotations(docs, "Deployment", "sinks").remove(MetricsScraping.SCRAPE),
          D + "sinks pod template: annotate prometheus.io/scrape: \"true\", or Prometheus never scrapes it"));
}
