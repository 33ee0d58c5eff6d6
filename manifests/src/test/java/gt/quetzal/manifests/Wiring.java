package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wiring between rendered objects, checked the way a cluster would discover it too late: labels and
 * selectors, ports, probes, resources, security contexts, volumes, every environment variable against
 * the service that reads it, Secrets and ConfigMaps, the Ingress, autoscalers, disruption budgets,
 * network policies, images, Kafka's own settings and the topic Job. Each check adds readable problems;
 * an empty list means the deployment is wired.
 */
final class Wiring {

  static final String NAME = "app.kubernetes.io/name";
  static final String INSTANCE = "app.kubernetes.io/instance";
  static final List<String> LABELS = List.of(NAME, INSTANCE, "app.kubernetes.io/component",
      "app.kubernetes.io/part-of", "app.kubernetes.io/version");
  static final Set<String> SELECTOR_KEYS = Set.of(NAME, INSTANCE);
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final Pattern HOST_PORT =
      Pattern.compile("(?<![\\w.-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*):(\\d{2,5})(?![\\w@])");
  private static final Pattern SCRIPT_VARIABLE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)");
  private static final Pattern REQUIRED_SCRIPT_VARIABLE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*):\\?");
  /** Read by Kafka's launcher scripts (kafka-run-class.sh, kafka-server-start.sh), not by our scripts. */
  static final Set<String> KAFKA_LAUNCHER_VARIABLES = Set.of("KAFKA_HEAP_OPTS", "KAFKA_LOG4J_OPTS", "LOG_DIR", "EXTRA_ARGS");
  /** What the Ingress may route to; everything else is reachable only inside the cluster. */
  static final Set<String> PUBLIC_WORKLOADS = Set.of("ingest-http", "ingest-grpc", "web", "grafana");
  /** Port names that mean health, readiness and metrics only. */
  static final Set<String> OPERATIONAL_PORT_NAMES = Set.of("ops", "metrics");
  /** Store URLs whose credentials must come from a Secret. */
  static final Set<String> STORE_URL_VARIABLES = Set.of("REDIS_URL", "MONGO_URI");
  /** A value that is only references, resolved at run time: $(VAR) by the kubelet, $VAR or ${VAR} by a program. */
  private static final Pattern ONLY_REFERENCES =
      Pattern.compile("(\\$\\([A-Za-z_][A-Za-z0-9_]*\\)|\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}|\\$[A-Za-z_][A-Za-z0-9_]*)+");
  /** {@code scheme://user:password@} — the password group. */
  private static final Pattern URI_PASSWORD = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s/@:]*:([^\\s/@]+)@");
  /** {@code password: x}, {@code requirepass x}, {@code token=x} lines in a mounted config file. */
  private static final Pattern CONFIG_PASSWORD = Pattern.compile(
      "(?im)^\\s*(?:--)?[\\w.-]*(?:password|passwd|requirepass|masterauth|secret|token)[\\w.-]*\\s*[:= ]\\s*[\"']?([^\\s\"'#]+)");
  /** Environment variables that hold a credential by their name. */
  private static final Pattern CREDENTIAL_NAME = Pattern.compile("(?i)(.*_)?(PASSWORD|PASSWD|SECRET|TOKEN|REQUIREPASS|API_?KEY)(_.*)?|.*_AUTH");
  static final String JIB_USER = "65532";
  static final String JIB_CLASSPATH = "@/app/jib-classpath-file";

  private final Rendered r;
  private final List<String> problems = new ArrayList<>();
  private final String version = Poms.projectVersion(Repo.root());

  private Wiring(Rendered rendered) {
    this.r = rendered;
  }

  /** Every wiring problem of a rendered deployment (parse problems included). */
  static List<String> check(Rendered rendered) {
    Wiring w = new Wiring(rendered);
    w.problems.addAll(rendered.parseProblems());
    w.labels();
    w.services();
    w.probes();
    w.resources();
    w.security();
    w.volumes();
    w.environment();
    w.ingress();
    w.autoscaling();
    w.disruptionBudgets();
    w.networkPolicies();
    w.images();
    w.kafka();
    w.secrets();
    w.credentials();
    w.literalPasswords();
    w.keda();
    w.grafana();
    w.problems.addAll(MetricsScraping.check(rendered, w::metricsPort));
    w.problems.addAll(ImagePolicy.checkDeployment(rendered));
    w.problems.addAll(MemoryBudget.check(rendered, w::serviceConfig));
    w.problems.addAll(Rollouts.check(rendered));
    return List.copyOf(w.problems);
  }

  private void problem(String message) {
    problems.add(r.name() + ": " + message);
  }

  // ------------------------------------------------------------------------------------------ labels

  private void labels() {
    for (Rendered.Workload w : r.workloads()) {
      for (String key : LABELS) {
        checkLabel(w + " pod template", w.podLabels(), key);
        checkLabel(w.toString(), w.owner().getMetadata().getLabels(), key);
      }
      LabelSelector selector = selectorOf(w.owner());
      if (selector != null) {
        if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
          problem(w + ": the selector uses matchExpressions; select on name and instance labels only");
        }
        Set<String> keys = selector.getMatchLabels() == null ? Set.of() : selector.getMatchLabels().keySet();
        if (!keys.equals(SELECTOR_KEYS)) {
          problem(w + ": the selector must use exactly " + SELECTOR_KEYS + " (immutable once applied), not " + keys);
        }
        if (!LabelSelectors.matches(selector, w.podLabels())) {
          problem(w + ": the selector does not match its own pod template's labels");
        }
      }
    }
    for (Service s : r.all(Service.class)) {
      Set<String> keys = s.getSpec().getSelector() == null ? Set.of() : s.getSpec().getSelector().keySet();
      if (!keys.equals(SELECTOR_KEYS)) {
        problem("Service/" + name(s) + ": the selector must use exactly " + SELECTOR_KEYS + ", not " + keys);
      }
    }
    for (PodDisruptionBudget pdb : r.all(PodDisruptionBudget.class)) {
      LabelSelector selector = pdb.getSpec().getSelector();
      Set<String> keys = selector == null || selector.getMatchLabels() == null ? Set.of() : selector.getMatchLabels().keySet();
      if (!keys.equals(SELECTOR_KEYS)) {
        problem("PodDisruptionBudget/" + name(pdb) + ": the selector must use exactly " + SELECTOR_KEYS + ", not " + keys);
      }
    }
  }

  private void checkLabel(String where, Map<String, String> labels, String key) {
    String value = labels == null ? null : labels.get(key);
    if (value == null || value.isEmpty()) {
      problem(where + ": label " + key + " is missing");
    } else if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
      problem(where + ": label " + key + "=" + value + " is not a valid label value");
    }
  }

  static LabelSelector selectorOf(HasMetadata owner) {
    if (owner instanceof Deployment d) {
      return d.getSpec().getSelector();
    }
    if (owner instanceof StatefulSet s) {
      return s.getSpec().getSelector();
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------- services

  private void services() {
    for (Service s : r.all(Service.class)) {
      List<Rendered.Workload> selected = r.selected(s.getSpec().getSelector());
      if (selected.isEmpty()) {
        problem("Service/" + name(s) + ": its selector " + s.getSpec().getSelector() + " matches no pod template");
        continue;
      }
      for (ServicePort port : s.getSpec().getPorts()) {
        IntOrString target = port.getTargetPort() == null ? new IntOrString(port.getPort()) : port.getTargetPort();
        for (Rendered.Workload w : selected) {
          if (containerPort(w, target).isEmpty()) {
            problem("Service/" + name(s) + " port " + port.getPort() + ": targetPort " + text(target)
                + " is not a container port of " + w);
          }
        }
      }
    }
    for (StatefulSet set : r.all(StatefulSet.class)) {
      String governing = set.getSpec().getServiceName();
      Optional<Service> service = governing == null ? Optional.empty() : r.service(governing);
      if (service.isEmpty()) {
        problem("StatefulSet/" + name(set) + ": serviceName " + governing + " is not a Service here");
      } else if (!"None".equals(service.get().getSpec().getClusterIP())) {
        problem("StatefulSet/" + name(set) + ": its governing Service " + governing
            + " must be headless (clusterIP: None) for per-pod DNS names");
      } else if (!LabelSelectors.matches(service.get().getSpec().getSelector(),
          set.getSpec().getTemplate().getMetadata().getLabels())) {
        problem("StatefulSet/" + name(set) + ": its governing Service " + governing + " does not select its pods");
      }
    }
  }

  /** The container port a Service or probe port means, by number or name. */
  static Optional<ContainerPort> containerPort(Rendered.Workload w, IntOrString port) {
    for (Container c : w.containers()) {
      Optional<ContainerPort> found = containerPort(c, port);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  static Optional<ContainerPort> containerPort(Container c, IntOrString port) {
    for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
      if (port.getIntVal() != null ? port.getIntVal().equals(cp.getContainerPort()) : port.getStrVal().equals(cp.getName())) {
        return Optional.of(cp);
      }
    }
    return Optional.empty();
  }

  // ------------------------------------------------------------------------------------------ probes

  private void probes() {
    for (Rendered.Workload w : r.workloads()) {
      for (Container c : w.containers()) {
        String where = w + " container " + c.getName();
        if (w.longRunning()) {
          if (c.getReadinessProbe() == null) {
            problem(where + ": no readiness probe");
          }
          if (c.getLivenessProbe() == null) {
            problem(where + ": no liveness probe");
          }
        }
        checkProbe(where + " startupProbe", c, c.getStartupProbe());
        checkProbe(where + " readinessProbe", c, c.getReadinessProbe());
        checkProbe(where + " livenessProbe", c, c.getLivenessProbe());
        if (QuetzalService.byContainer(c.getName()).isPresent() && w.longRunning()) {
          // Every service serves /healthz (alive) and /readyz (dependencies reachable).
          expectPath(where + " livenessProbe", c.getLivenessProbe(), "/healthz");
          expectPath(where + " readinessProbe", c.getReadinessProbe(), "/readyz");
        }
        Optional<ContainerPort> grpc = containerPort(c, new IntOrString("grpc"));
        if (grpc.isPresent() && w.longRunning() && (c.getReadinessProbe() == null || c.getReadinessProbe().getGrpc() == null
            || !grpc.get().getContainerPort().equals(c.getReadinessProbe().getGrpc().getPort()))) {
          problem(where + ": a gRPC server gets a native grpc readiness probe on its grpc port");
        }
      }
    }
  }

  private void checkProbe(String where, Container c, Probe probe) {
    if (probe == null) {
      return;
    }
    if (probe.getHttpGet() != null && containerPort(c, probe.getHttpGet().getPort()).isEmpty()) {
      problem(where + ": port " + text(probe.getHttpGet().getPort()) + " is not a port of the container");
    }
    if (probe.getTcpSocket() != null && containerPort(c, probe.getTcpSocket().getPort()).isEmpty()) {
      problem(where + ": port " + text(probe.getTcpSocket().getPort()) + " is not a port of the container");
    }
    if (probe.getGrpc() != null && containerPort(c, new IntOrString(probe.getGrpc().getPort())).isEmpty()) {
      problem(where + ": gRPC port " + probe.getGrpc().getPort() + " is not a port of the container");
    }
    if (probe.getHttpGet() == null && probe.getTcpSocket() == null && probe.getGrpc() == null && probe.getExec() == null) {
      problem(where + ": no probe handler");
    }
  }

  private void expectPath(String where, Probe probe, String path) {
    if (probe != null && probe.getHttpGet() != null && !path.equals(probe.getHttpGet().getPath())) {
      problem(where + ": expected path " + path + ", got " + probe.getHttpGet().getPath());
    }
  }

  // --------------------------------------------------------------------------------------- resources

  private void resources() {
    for (Rendered.Workload w : r.workloads()) {
      for (Container c : w.containers()) {
        String where = w + " container " + c.getName();
        Map<String, Quantity> requests = c.getResources() == null ? null : c.getResources().getRequests();
        Map<String, Quantity> limits = c.getResources() == null ? null : c.getResources().getLimits();
        for (String resource : List.of("cpu", "memory")) {
          Quantity request = requests == null ? null : requests.get(resource);
          Quantity limit = limits == null ? null : limits.get(resource);
          if (request == null || limit == null) {
            problem(where + ": needs both a " + resource + " request and limit");
          } else if (Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) > 0) {
            problem(where + ": the " + resource + " request " + request + " exceeds the limit " + limit);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------- security

  private void security() {
    for (Rendered.Workload w : r.workloads()) {
      PodSpec spec = w.template().getSpec();
      PodSecurityContext pod = spec.getSecurityContext();
      if (!Boolean.FALSE.equals(spec.getEnableServiceLinks())) {
        // A Service's KAFKA_PORT-style variables break images that read KAFKA_* (and leak topology).
        problem(w + ": set enableServiceLinks: false");
      }
      if (w.name().equals("prometheus")) {
        // The one exception: its pod discovery reads the API, through its own read-only Role.
        if (!"prometheus".equals(spec.getServiceAccountName())) {
          problem(w + ": runs as the prometheus ServiceAccount (pod discovery needs its Role)");
        }
      } else if (!Boolean.FALSE.equals(spec.getAutomountServiceAccountToken())) {
        problem(w + ": set automountServiceAccountToken: false (no pod here talks to the API server)");
      }
      if (pod == null || pod.getSeccompProfile() == null || !"RuntimeDefault".equals(pod.getSeccompProfile().getType())) {
        problem(w + ": the pod needs seccompProfile RuntimeDefault");
      }
      for (Container c : w.containers()) {
        String where = w + " container " + c.getName();
        SecurityContext sc = c.getSecurityContext();
        boolean nonRoot = (pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot()))
            || (sc != null && Boolean.TRUE.equals(sc.getRunAsNonRoot()));
        Long uid = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser() : pod == null ? null : pod.getRunAsUser();
        if (!nonRoot || uid == null || uid == 0) {
          problem(where + ": must run as a non-root user (runAsNonRoot and a non-zero runAsUser)");
        }
        if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
          problem(where + ": set allowPrivilegeEscalation: false");
        }
        if (sc == null || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
          problem(where + ": set readOnlyRootFilesystem: true");
        }
        if (sc == null || sc.getCapabilities() == null || sc.getCapabilities().getDrop() == null
            || !sc.getCapabilities().getDrop().contains("ALL")) {
          problem(where + ": drop ALL capabilities");
        }
      }
    }
  }

  // ----------------------------------------------------------------------------------------- volumes

  private void volumes() {
    for (Rendered.Workload w : r.workloads()) {
      PodSpec spec = w.template().getSpec();
      Map<String, Volume> volumes = new java.util.HashMap<>();
      for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
        volumes.put(v.getName(), v);
        if (v.getConfigMap() != null && r.configMap(v.getConfigMap().getName()).isEmpty()) {
          problem(w + " volume " + v.getName() + ": ConfigMap " + v.getConfigMap().getName() + " does not exist");
        }
        if (v.getSecret() != null && r.secret(v.getSecret().getSecretName()).isEmpty()
            && !r.externalSecrets().contains(v.getSecret().getSecretName())) {
          problem(w + " volume " + v.getName() + ": Secret " + v.getSecret().getSecretName() + " does not exist");
        }
      }
      Set<String> claims = new HashSet<>();
      if (w.owner() instanceof StatefulSet set && set.getSpec().getVolumeClaimTemplates() != null) {
        for (PersistentVolumeClaim claim : set.getSpec().getVolumeClaimTemplates()) {
          claims.add(claim.getMetadata().getName());
        }
      }
      for (Container c : w.containers()) {
        String where = w + " container " + c.getName();
        boolean tmp = false;
        for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
          if (!volumes.containsKey(m.getName()) && !claims.contains(m.getName())) {
            problem(where + ": mounts " + m.getName() + ", which is neither a volume nor a volume claim template");
          }
          Volume v = volumes.get(m.getName());
          if ("/tmp".equals(m.getMountPath()) && v != null && v.getEmptyDir() != null && !Boolean.TRUE.equals(m.getReadOnly())) {
            tmp = true;
          }
        }
        if (!tmp) {
          problem(where + ": the root filesystem is read-only, so mount a writable emptyDir at /tmp");
        }
        // A script or config file named on the command line must exist in the ConfigMap mounted there.
        List<String> words = new ArrayList<>();
        Optional.ofNullable(c.getCommand()).ifPresent(words::addAll);
        Optional.ofNullable(c.getArgs()).ifPresent(words::addAll);
        for (String word : words) {
          mountedConfigMapKey(w, c, word).ifPresent(problem -> problem(where + ": " + problem));
        }
      }
    }
  }

  /** If {@code path} lies in a mounted ConfigMap, the problem when that ConfigMap lacks the file. */
  private Optional<String> mountedConfigMapKey(Rendered.Workload w, Container c, String path) {
    if (!path.startsWith("/")) {
      return Optional.empty();
    }
    for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      if (path.startsWith(m.getMountPath() + "/")) {
        Volume v = w.template().getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName()))
            .findFirst().orElse(null);
        if (v != null && v.getConfigMap() != null) {
          String key = path.substring(m.getMountPath().length() + 1);
          Optional<ConfigMap> cm = r.configMap(v.getConfigMap().getName());
          if (cm.isPresent() && (cm.get().getData() == null || !cm.get().getData().containsKey(key))) {
            return Optional.of(path + " is not a key of ConfigMap " + v.getConfigMap().getName());
          }
        }
      }
    }
    return Optional.empty();
  }

  // ------------------------------------------------------------------------------------- environment

  private void environment() {
    for (Rendered.Workload w : r.workloads()) {
      for (Container c : w.containers()) {
        String where = w + " container " + c.getName();
        PodEnv.Resolved env = PodEnv.resolve(r, w, c);
        env.problems().forEach(p -> problem(p));
        // The kubelet also expands $(VAR) in command and args.
        List<String> words = new ArrayList<>();
        Optional.ofNullable(c.getCommand()).ifPresent(words::addAll);
        Optional.ofNullable(c.getArgs()).ifPresent(words::addAll);
        for (String word : words) {
          Matcher m = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(word);
          while (m.find()) {
            if (!env.values().containsKey(m.group(1))) {
              problem(where + ": the command line uses $(" + m.group(1) + "), which is not an env variable");
            }
          }
        }
        Optional<QuetzalService> service = QuetzalService.byContainer(c.getName());
        if (service.isPresent()) {
          serviceEnvironment(w, c, service.get(), env);
        }
        connections(w, c, env);
      }
    }
  }

  private void serviceEnvironment(Rendered.Workload w, Container c, QuetzalService service, PodEnv.Resolved env) {
    String where = w + " container " + c.getName();
    QuetzalService.ConfigRead read = service.read(withMountedFiles(w, c, env.values()));
    read.problems().forEach(p -> problem(where + ": the service refuses this environment: " + p));
    for (String variable : env.values().keySet()) {
      boolean read1 = read.consulted().contains(variable);
      boolean jvm = QuetzalService.JVM_VARIABLES.contains(variable);
      // A Secret or downward-API value that only feeds another variable's $(...) is a building block.
      boolean buildingBlock = env.fromRefs().contains(variable) && env.referenced().contains(variable);
      if (!read1 && !jvm && !buildingBlock) {
        problem(where + ": sets " + variable + ", which " + service.configClass + " never reads (per "
            + read.how() + ")");
      }
    }
    if (read.config() != null) {
      QuetzalService.textValues(read.config()).forEach((component, value) -> {
        if (value.contains("localhost") || value.contains("127.0.0.1")) {
          problem(where + ": " + component + " resolves to " + redact(value)
              + " — in a pod that is the pod itself; set the variable that configures it");
        }
      });
      RateLimiting.check(w, read.config()).forEach(this::problem);
      long budget = service.shutdownBudgetMillis(read.config());
      long preStop = c.getLifecycle() != null && c.getLifecycle().getPreStop() != null
          && c.getLifecycle().getPreStop().getSleep() != null
          ? c.getLifecycle().getPreStop().getSleep().getSeconds() * 1000 : 0;
      Long grace = w.template().getSpec().getTerminationGracePeriodSeconds();
      long graceMs = (grace == null ? 30 : grace) * 1000;
      if (graceMs <= preStop + budget) {
        problem(w + ": terminationGracePeriodSeconds (" + graceMs / 1000 + " s) must exceed preStop ("
            + preStop / 1000 + " s) plus the service's own shutdown budget (" + budget + " ms)");
      }
    }
    String stateDir = env.values().get("STATE_DIR");
    if (stateDir != null && !onClaim(w, c, stateDir)) {
      problem(where + ": STATE_DIR " + stateDir + " is not on a volume claim template, so state dies with the pod");
    }
  }

  /**
   * The environment with every path into a mounted ConfigMap replaced by a local copy of that file, so
   * a config record that loads a file at start (the contest catalog) reads what the pod would read.
   */
  /** Where a service container serves /metrics, as its own config reads the pod's environment. */
  java.util.OptionalInt metricsPort(Rendered.Workload w, Container c) {
    Optional<QuetzalService> quetzal = QuetzalService.byContainer(c.getName());
    if (quetzal.isEmpty()) {
      return java.util.OptionalInt.empty();
    }
    Object config = serviceConfig(w, c);
    return config == null ? java.util.OptionalInt.empty() : QuetzalService.metricsPort(config);
  }

  /** The config record a service (or the contest tool's streams-app image) makes of the pod's environment; null if none. */
  Object serviceConfig(Rendered.Workload w, Container c) {
    Optional<QuetzalService> quetzal = CONTEST_TOOL.equals(c.getName()) ? Optional.empty() : QuetzalService.byContainer(c.getName());
    return quetzal.map(s -> s.read(withMountedFiles(w, c, PodEnv.resolve(r, w, c).values())).config()).orElse(null);
  }

  private Map<String, String> withMountedFiles(Rendered.Workload w, Container c, Map<String, String> env) {
    Map<String, String> files = mountedFiles(w, c);
    Map<String, String> local = new java.util.LinkedHashMap<>(env);
    for (Map.Entry<String, String> entry : env.entrySet()) {
      String content = files.get(entry.getValue());
      if (content == null) {
        continue;
      }
      try {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("quetzal-mounted");
        java.nio.file.Path copy = dir.resolve(entry.getValue().substring(entry.getValue().lastIndexOf('/') + 1));
        java.nio.file.Files.writeString(copy, content);
        copy.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        local.put(entry.getKey(), copy.toString());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return local;
  }

  private static boolean onClaim(Rendered.Workload w, Container c, String path) {
    if (!(w.owner() instanceof StatefulSet set) || set.getSpec().getVolumeClaimTemplates() == null) {
      return false;
    }
    Set<String> claims = new HashSet<>();
    set.getSpec().getVolumeClaimTemplates().forEach(pvc -> claims.add(pvc.getMetadata().getName()));
    return Optional.ofNullable(c.getVolumeMounts()).orElse(List.of()).stream().anyMatch(m -> claims.contains(m.getName())
        && (path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/")));
  }

  /**
   * Every host:port in the environment that names one of our Services (or a pod behind a headless
   * one) must be a port of that Service, and the network policies must let this pod reach it.
   */
  private void connections(Rendered.Workload w, Container c, PodEnv.Resolved env) {
    for (Map.Entry<String, String> entry : env.values().entrySet()) {
      Matcher m = HOST_PORT.matcher(entry.getValue());
      while (m.find()) {
        String[] labels = m.group(1).split("\\.");
        int port = Integer.parseInt(m.group(2));
        Optional<Service> service = r.service(labels[0]);
        if (service.isEmpty() && labels.length > 1) {
          service = r.service(labels[1]).filter(s -> "None".equals(s.getSpec().getClusterIP()));
        }
        if (service.isEmpty()) {
          if (QuetzalService.byContainer(c.getName()).isPresent() && !entry.getKey().equals("JAVA_TOOL_OPTIONS")) {
            problem(w + " container " + c.getName() + ": " + entry.getKey() + " points at " + m.group(1)
                + ", which is not a Service of this deployment");
          }
          continue;
        }
        reach(NetworkPolicies.pod(r, w), service.get(), port, w + " container " + c.getName() + " " + entry.getKey());
      }
    }
  }

  /** The Service has the port, it maps to a container port, and the policies admit the peer. */
  void reach(NetworkPolicies.Peer from, Service service, int port, String why) {
    Optional<ServicePort> servicePort = service.getSpec().getPorts().stream().filter(p -> p.getPort() == port).findFirst();
    if (servicePort.isEmpty()) {
      problem(why + ": Service " + name(service) + " has no port " + port);
      return;
    }
    IntOrString target = servicePort.get().getTargetPort() == null ? new IntOrString(port) : servicePort.get().getTargetPort();
    for (Rendered.Workload to : r.selected(service.getSpec().getSelector())) {
      Optional<ContainerPort> cp = containerPort(to, target);
      if (cp.isPresent() && !NetworkPolicies.allows(r, from, to, cp.get().getContainerPort())) {
        problem(why + ": the network policies do not let " + from.description() + " reach " + to + " on port "
            + cp.get().getContainerPort());
      }
    }
  }

  // ----------------------------------------------------------------------------------------- ingress

  private void ingress() {
    String grpcPath = "/" + gt.quetzal.proto.v1.VoteServiceGrpc.SERVICE_NAME;
    for (Ingress ingress : r.all(Ingress.class)) {
      String where = "Ingress/" + name(ingress);
      if (!"traefik".equals(ingress.getSpec().getIngressClassName())) {
        problem(where + ": ingressClassName must be traefik (k3s's controller; ingress-nginx is retired)");
      }
      boolean grpcRouted = false;
      for (IngressRule rule : ingress.getSpec().getRules()) {
        for (HTTPIngressPath path : rule.getHttp().getPaths()) {
          String backend = path.getBackend().getService().getName();
          ServiceBackendPort port = path.getBackend().getService().getPort();
          Optional<Service> service = r.service(backend);
          if (service.isEmpty()) {
            problem(where + " " + path.getPath() + ": backend Service " + backend + " does not exist");
            continue;
          }
          Optional<ServicePort> sp = service.get().getSpec().getPorts().stream()
              .filter(p -> port.getName() != null ? port.getName().equals(p.getName()) : port.getNumber().equals(p.getPort()))
              .findFirst();
          if (sp.isEmpty()) {
            problem(where + " " + path.getPath() + ": Service " + backend + " has no port "
                + (port.getName() != null ? port.getName() : port.getNumber()));
            continue;
          }
          boolean grpc = "grpc".equals(sp.get().getName());
          if (grpc) {
            grpcRouted = true;
            if (!grpcPath.equals(path.getPath())) {
              problem(where + ": the gRPC route must be " + grpcPath + " (the proto's service), not " + path.getPath());
            }
            String scheme = service.get().getMetadata().getAnnotations() == null ? null
                : service.get().getMetadata().getAnnotations().get("traefik.ingress.kubernetes.io/service.serversscheme");
            if (!"h2c".equals(scheme)) {
              problem("Service/" + backend + ": gRPC backends need the annotation "
                  + "traefik.ingress.kubernetes.io/service.serversscheme: h2c");
            }
          }
          publicOnly(where + " " + path.getPath(), service.get(), sp.get());
          reach(NetworkPolicies.traefik(), service.get(), sp.get().getPort(), where + " " + path.getPath());
        }
      }
      if (!grpcRouted) {
        problem(where + ": no route to a gRPC backend");
      }
    }
  }

  /**
   * An Ingress backend is a public port of a public workload: never a port named for operations, never
   * the port a service serves /metrics on (its config says which: OPS_PORT, or HTTP_PORT without it),
   * never a workload that is internal by design (the streams app's interactive queries, the sinks, the
   * stores, Kafka).
   */
  private void publicOnly(String where, Service service, ServicePort port) {
    IntOrString target = port.getTargetPort() == null ? new IntOrString(port.getPort()) : port.getTargetPort();
    if (OPERATIONAL_PORT_NAMES.contains(port.getName())) {
      problem(where + ": routes to Service " + name(service) + " port " + port.getName() + ", an operational port");
    }
    for (Rendered.Workload w : r.selected(service.getSpec().getSelector())) {
      if (!PUBLIC_WORKLOADS.contains(w.name())) {
        problem(where + ": routes to " + w + ", which is internal (public are " + PUBLIC_WORKLOADS + ")");
      }
      for (Container c : w.containers()) {
        Optional<ContainerPort> cp = containerPort(c, target);
        Optional<QuetzalService> quetzal = QuetzalService.byContainer(c.getName());
        if (cp.isEmpty()) {
          continue;
        }
        if (OPERATIONAL_PORT_NAMES.contains(cp.get().getName())) {
          problem(where + ": routes to " + w + " container port " + cp.get().getName() + ", an operational port");
        }
        if (quetzal.isPresent()) {
          Object config = quetzal.get().read(withMountedFiles(w, c, PodEnv.resolve(r, w, c).values())).config();
          java.util.OptionalInt metrics = QuetzalService.metricsPort(config);
          if (metrics.isPresent() && metrics.getAsInt() == cp.get().getContainerPort()) {
            problem(where + ": routes to " + w + " port " + cp.get().getContainerPort() + ", where "
                + quetzal.get().configClass + " serves /metrics; set OPS_PORT to a port the Ingress does not route");
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------- autoscaling

  private void autoscaling() {
    for (HorizontalPodAutoscaler hpa : r.all(HorizontalPodAutoscaler.class)) {
      String where = "HorizontalPodAutoscaler/" + name(hpa);
      var ref = hpa.getSpec().getScaleTargetRef();
      Optional<Rendered.Workload> target = r.workload(ref.getName()).filter(w -> w.kind().equals(ref.getKind()));
      if (target.isEmpty()) {
        problem(where + ": scaleTargetRef " + ref.getKind() + "/" + ref.getName() + " does not exist");
        continue;
      }
      int min = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
      if (min < 1 || min > hpa.getSpec().getMaxReplicas()) {
        problem(where + ": need 1 <= minReplicas <= maxReplicas");
      }
      if (target.get().owner() instanceof Deployment d && d.getSpec().getReplicas() != null) {
        problem("Deployment/" + ref.getName() + ": drop spec.replicas, the HPA owns it (every apply would reset it)");
      }
      for (Container c : target.get().containers()) {
        if (c.getResources() == null || c.getResources().getRequests() == null
            || !c.getResources().getRequests().containsKey("cpu")) {
          problem(where + ": scales on CPU but " + c.getName() + " has no CPU request");
        }
      }
    }
  }

  private void disruptionBudgets() {
    for (PodDisruptionBudget pdb : r.all(PodDisruptionBudget.class)) {
      String where = "PodDisruptionBudget/" + name(pdb);
      List<Rendered.Workload> selected = r.workloads().stream()
          .filter(w -> LabelSelectors.matches(pdb.getSpec().getSelector(), w.podLabels())).toList();
      if (selected.isEmpty()) {
        problem(where + ": selects no pods");
        continue;
      }
      if (pdb.getSpec().getMinAvailable() != null && pdb.getSpec().getMinAvailable().getIntVal() != null) {
        int least = selected.stream().mapToInt(this::minimumReplicas).min().orElse(0);
        if (pdb.getSpec().getMinAvailable().getIntVal() >= least) {
          problem(where + ": minAvailable " + pdb.getSpec().getMinAvailable().getIntVal()
              + " with as few as " + least + " replicas would block every node drain");
        }
      }
    }
  }

  private int minimumReplicas(Rendered.Workload w) {
    for (Map<String, Object> raw : r.raw("ScaledObject")) {
      if (w.name().equals(Yaml.at(raw, "spec", "scaleTargetRef", "name"))) {
        Object min = Yaml.at(raw, "spec", "minReplicaCount");
        return min instanceof Integer n ? n : 0;
      }
    }
    Optional<HorizontalPodAutoscaler> hpa = r.all(HorizontalPodAutoscaler.class).stream()
        .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(w.name())).findFirst();
    if (hpa.isPresent()) {
      return hpa.get().getSpec().getMinReplicas() == null ? 1 : hpa.get().getSpec().getMinReplicas();
    }
    if (w.owner() instanceof Deployment d) {
      return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }
    if (w.owner() instanceof StatefulSet s) {
      return s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    }
    return 1;
  }

  // -------------------------------------------------------------------------------- network policies

  private void networkPolicies() {
    for (NetworkPolicy policy : r.all(NetworkPolicy.class)) {
      String where = "NetworkPolicy/" + name(policy);
      LabelSelector podSelector = policy.getSpec().getPodSelector();
      boolean selectsAll = podSelector == null
          || ((podSelector.getMatchLabels() == null || podSelector.getMatchLabels().isEmpty())
          && (podSelector.getMatchExpressions() == null || podSelector.getMatchExpressions().isEmpty()));
      List<Rendered.Workload> targets = r.workloads().stream()
          .filter(w -> LabelSelectors.matches(podSelector, w.podLabels())).toList();
      if (!selectsAll && targets.isEmpty()) {
        problem(where + ": its podSelector matches no pods");
      }
      for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress() == null
          ? List.<NetworkPolicyIngressRule>of() : policy.getSpec().getIngress()) {
        for (NetworkPolicyPeer peer : rule.getFrom() == null ? List.<NetworkPolicyPeer>of() : rule.getFrom()) {
          if (peer.getNamespaceSelector() == null && peer.getPodSelector() != null
              && r.workloads().stream().noneMatch(w -> LabelSelectors.matches(peer.getPodSelector(), w.podLabels()))) {
            problem(where + ": a from.podSelector matches no pods in the namespace");
          }
          if (peer.getPodSelector() != null && peer.getPodSelector().getMatchExpressions() != null) {
            peer.getPodSelector().getMatchExpressions().stream()
                .filter(e -> e.getKey().equals(NAME) && peer.getNamespaceSelector() == null)
                .flatMap(e -> e.getValues().stream())
                .filter(value -> r.workloads().stream().noneMatch(w -> value.equals(w.podLabels().get(NAME))))
                .forEach(value -> problem(where + ": admits " + NAME + "=" + value + ", which no pod has"));
          }
        }
        for (NetworkPolicyPort port : rule.getPorts() == null ? List.<NetworkPolicyPort>of() : rule.getPorts()) {
          if (port.getPort() != null && targets.stream().noneMatch(w -> containerPort(w, port.getPort()).isPresent())) {
            problem(where + ": port " + text(port.getPort()) + " is not a container port of any pod it selects");
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------ images

  /** The catalog Job's container: the contest tool from the streams-app image, not a service. */
  static final String CONTEST_TOOL = "contest-catalog";

  /**
   * The contest tool runs from the streams-app image with Jib's classpath, applies a mounted file (or
   * "none"), and that file is a catalog the tool would take: parsed and indexed as it does.
   */
  private void contestTool(Rendered.Workload w, Container c, String where) {
    // The contest tool ships in the streams-app image.
    ImagePolicy.checkService(where, c, QuetzalService.STREAMS_APP.module, version).forEach(this::problem);
    String main = gt.quetzal.streams.contest.ContestMain.class.getName();
    List<String> command = c.getCommand() == null ? List.of() : c.getCommand();
    if (!command.equals(List.of("java", "-cp", JIB_CLASSPATH, main))) {
      problem(where + ": must run [java, -cp, " + JIB_CLASSPATH + ", " + main + "], got " + command);
    }
    List<String> args = c.getArgs() == null ? List.of() : c.getArgs();
    if (args.size() != 2 || !args.get(0).equals("apply")) {
      problem(where + ": args must be [apply, FILE|none], got " + args);
      return;
    }
    if (!args.get(1).equals("none")) {
      String content = mountedFiles(w, c).get(args.get(1));
      if (content == null) {
        problem(where + ": " + args.get(1) + " is not a file of a mounted ConfigMap");
      } else {
        try {
          gt.quetzal.contract.CatalogIndex.of(
              gt.quetzal.contract.Json.MAPPER.readValue(content, gt.quetzal.contract.Catalog.class));
        } catch (java.io.IOException | RuntimeException e) {
          problem(where + ": the contest tool refuses " + args.get(1) + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
      }
    }
    PodSecurityContext pod = w.template().getSpec().getSecurityContext();
    if (pod == null || pod.getRunAsUser() == null || pod.getRunAsUser() != Long.parseLong(JIB_USER)) {
      problem(w + ": runAsUser must be " + JIB_USER + ", the user Jib's image runs as");
    }
  }

  private void images() {
    for (Rendered.Workload w : r.workloads()) {
      for (Container c : w.containers()) {
        String where = w + " container " + c.getName();
        String image = c.getImage();
        int colon = image == null ? -1 : image.lastIndexOf(':');
        if (colon < 0 || image.substring(colon + 1).equals("latest")) {
          problem(where + ": pin the image to a tag (got " + image + ")");
          continue;
        }
        String repository = image.substring(0, colon);
        String tag = image.substring(colon + 1);
        String versionLabel = w.podLabels().get("app.kubernetes.io/version");
        if (versionLabel != null && !tag.startsWith(versionLabel)) {
          problem(where + ": label app.kubernetes.io/version=" + versionLabel + " does not match the image tag " + tag);
        }
        if (CONTEST_TOOL.equals(c.getName())) {
          contestTool(w, c, where);
          continue;
        }
        Optional<QuetzalService> service = QuetzalService.byContainer(c.getName());
        if (repository.matches("([^/]+/)?quetzal/.*") && service.isEmpty() && !repository.equals(GrafanaVersions.OFFLINE_REPOSITORY)) {
          problem(where + ": runs a Quetzal image but is not a known service container");
        }
        if (service.isEmpty()) {
          continue;
        }
        QuetzalService s = service.get();
        ImagePolicy.checkService(where, c, s.module, version).forEach(this::problem);
        List<String> command = c.getCommand() == null ? List.of() : c.getCommand();
        if (s.isModuleDefault()) {
          if (!command.isEmpty()) {
            problem(where + ": runs the image's own entrypoint (" + s.mainClass + "), so set no command");
          }
        } else if (!command.equals(List.of("java", "-cp", JIB_CLASSPATH, s.mainClass))) {
          problem(where + ": must run [java, -cp, " + JIB_CLASSPATH + ", " + s.mainClass + "], got " + command);
        }
        PodSecurityContext pod = w.template().getSpec().getSecurityContext();
        if (pod == null || pod.getRunAsUser() == null || pod.getRunAsUser() != Long.parseLong(JIB_USER)) {
          problem(w + ": runAsUser must be " + JIB_USER + ", the user Jib's image runs as");
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------- kafka

  private void kafka() {
    Optional<StatefulSet> kafka = r.find(StatefulSet.class, "kafka");
    if (kafka.isEmpty()) {
      problem("there is no kafka StatefulSet");
      return;
    }
    if (r.service("kafka").isPresent()) {
      problem("Service/kafka: a Service named kafka injects KAFKA_PORT=tcp://... into pods; rename it");
    }
    int replicas = kafka.get().getSpec().getReplicas() == null ? 1 : kafka.get().getSpec().getReplicas();
    Rendered.Workload w = r.workload("kafka").orElseThrow();
    Container broker = w.containers().get(0);
    Map<String, String> env = PodEnv.resolve(r, w, broker).values();
    int voters = integer(env, "KAFKA_REPLICAS", "StatefulSet/kafka");
    int rf = integer(env, "REPLICATION_FACTOR", "StatefulSet/kafka");
    int minIsr = integer(env, "MIN_INSYNC_REPLICAS", "StatefulSet/kafka");
    if (voters != replicas) {
      problem("StatefulSet/kafka: KAFKA_REPLICAS=" + voters + " must equal spec.replicas=" + replicas
          + " (every pod is a controller voter)");
    }
    if (rf < 1 || rf > replicas) {
      problem("StatefulSet/kafka: REPLICATION_FACTOR=" + rf + " must be within 1.." + replicas);
    }
    if (minIsr < 1 || minIsr > rf || (rf > 1 && minIsr == rf)) {
      problem("StatefulSet/kafka: MIN_INSYNC_REPLICAS=" + minIsr + " must be below REPLICATION_FACTOR=" + rf
          + " (or 1 on one node), or one broker down stops all writes");
    }
    String clusterId = env.getOrDefault("CLUSTER_ID", "");
    try {
      if (Base64.getUrlDecoder().decode(clusterId).length != 16) {
        problem("StatefulSet/kafka: CLUSTER_ID must encode 16 bytes (kafka-storage.sh random-uuid)");
      }
    } catch (IllegalArgumentException e) {
      problem("StatefulSet/kafka: CLUSTER_ID is not URL-safe base64");
    }
    heap(w, broker, env.get("KAFKA_HEAP_OPTS"));
    r.workload("kafka-topics").ifPresentOrElse(job -> {
      Map<String, String> jobEnv = PodEnv.resolve(r, job, job.containers().get(0)).values();
      int jobRf = integer(jobEnv, "REPLICATION_FACTOR", "Job/kafka-topics");
      if (jobRf != rf) {
        problem("Job/kafka-topics: REPLICATION_FACTOR=" + jobRf + " must equal the brokers' " + rf);
      }
      problems.addAll(TopicPlan.check(r, jobEnv));
    }, () -> problem("there is no kafka-topics Job"));
    scriptEnvironment(w, broker);
    r.workload("kafka-topics").ifPresent(job -> scriptEnvironment(job, job.containers().get(0)));
  }

  /** A shell-script container sets exactly what its script (or Kafka's launcher) reads. */
  private void scriptEnvironment(Rendered.Workload w, Container c) {
    List<String> command = c.getCommand() == null ? List.of() : c.getCommand();
    Optional<String> script = command.stream().filter(s -> s.endsWith(".sh")).findFirst();
    if (script.isEmpty()) {
      problem(w + ": expected to run one of the scripts in ConfigMap kafka-scripts");
      return;
    }
    String key = script.get().substring(script.get().lastIndexOf('/') + 1);
    Optional<String> text = r.configMap("kafka-scripts").map(cm -> cm.getData().get(key));
    if (text.isEmpty()) {
      return; // reported by volumes()
    }
    Set<String> read = new TreeSet<>();
    Matcher m = SCRIPT_VARIABLE.matcher(text.get());
    while (m.find()) {
      read.add(m.group(1));
    }
    Set<String> set = new LinkedHashSet<>();
    Optional.ofNullable(c.getEnv()).ifPresent(env -> env.forEach(e -> set.add(e.getName())));
    for (String variable : set) {
      if (!read.contains(variable) && !KAFKA_LAUNCHER_VARIABLES.contains(variable)) {
        problem(w + ": sets " + variable + ", which neither " + key + " nor Kafka's launcher reads");
      }
    }
    Matcher required = REQUIRED_SCRIPT_VARIABLE.matcher(text.get());
    while (required.find()) {
      if (!set.contains(required.group(1))) {
        problem(w + ": " + key + " requires " + required.group(1) + ", which is not set");
      }
    }
  }

  /** -Xmx must leave room for metaspace, threads and page cache inside the memory limit. */
  private void heap(Rendered.Workload w, Container c, String heapOpts) {
    Matcher m = Pattern.compile("-Xmx(\\d+)([kmgKMG])").matcher(heapOpts == null ? "" : heapOpts);
    Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null
        : c.getResources().getLimits().get("memory");
    if (!m.find() || limit == null) {
      problem(w + ": KAFKA_HEAP_OPTS needs an -Xmx and the container a memory limit");
      return;
    }
    long unit = switch (Character.toLowerCase(m.group(2).charAt(0))) {
      case 'k' -> 1024L;
      case 'm' -> 1024L * 1024;
      default -> 1024L * 1024 * 1024;
    };
    BigDecimal heap = BigDecimal.valueOf(Long.parseLong(m.group(1)) * unit);
    if (heap.compareTo(Quantity.getAmountInBytes(limit).multiply(BigDecimal.valueOf(0.75))) > 0) {
      problem(w + ": heap " + m.group() + " is more than 75% of the memory limit " + limit);
    }
  }

  private int integer(Map<String, String> env, String name, String where) {
    try {
      return Integer.parseInt(env.getOrDefault(name, ""));
    } catch (NumberFormatException e) {
      problem(where + ": " + name + " must be an integer, got " + env.get(name));
      return -1;
    }
  }

  // ----------------------------------------------------------------------------------------- secrets

  private void secrets() {
    for (Secret secret : r.all(Secret.class)) {
      if (!r.externalSecrets().isEmpty()) {
        problem("Secret/" + name(secret) + ": this deployment expects its Secrets from outside; it must ship none");
      }
      Map<String, String> annotations = secret.getMetadata().getAnnotations();
      if (annotations == null || !"true".equals(annotations.get("quetzal.gt/dev-only"))) {
        problem("Secret/" + name(secret) + ": a committed Secret must be marked quetzal.gt/dev-only: \"true\"");
      }
    }
  }

  /**
   * Every REDIS_URL and MONGO_URI is a Secret's value or is composed from one: its password part is only
   * {@code $(VAR)} references to variables read from a secretKeyRef. And Redis itself runs with
   * {@code --requirepass} from a Secret, so a URL without a password cannot connect.
   */
  private void credentials() {
    for (Rendered.Workload w : r.workloads()) {
      for (Container c : w.containers()) {
        String where = w + " container " + c.getName();
        Set<String> fromSecrets = new HashSet<>();
        for (io.fabric8.kubernetes.api.model.EnvVar var : c.getEnv() == null
            ? List.<io.fabric8.kubernetes.api.model.EnvVar>of() : c.getEnv()) {
          boolean secret = var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null;
          if (secret) {
            fromSecrets.add(var.getName());
          }
          if (!STORE_URL_VARIABLES.contains(var.getName()) || secret) {
            continue;
          }
          if (var.getValueFrom() != null) {
            problem(where + ": " + var.getName() + " must come from a secretKeyRef, not another source");
            continue;
          }
          String value = var.getValue() == null ? "" : var.getValue();
          Matcher m = URI_PASSWORD.matcher(value);
          if (!m.find()) {
            problem(where + ": " + var.getName() + " carries no password; compose it from a Secret, e.g. "
                + "redis://:$(REDIS_PASSWORD)@redis:6379 with REDIS_PASSWORD from a secretKeyRef");
            continue;
          }
          // Only $(VAR) is expanded by the kubelet; each must name a variable read from a Secret.
          String password = m.group(1);
          Matcher ref = PodEnv.REFERENCE.matcher(password);
          boolean allFromSecrets = ref.replaceAll("").isEmpty() && !password.isEmpty();
          ref.reset();
          while (ref.find()) {
            if (!fromSecrets.contains(ref.group(1))) {
              allFromSecrets = false;
            }
          }
          if (!allFromSecrets) {
            problem(where + ": the password in " + var.getName() + " must be $(VAR) with VAR from a secretKeyRef");
          }
        }
        if ("redis".equals(w.name())) {
          List<String> words = new ArrayList<>();
          Optional.ofNullable(c.getCommand()).ifPresent(words::addAll);
          Optional.ofNullable(c.getArgs()).ifPresent(words::addAll);
          int at = words.indexOf("--requirepass");
          String value = at < 0 || at + 1 >= words.size() ? null : words.get(at + 1);
          Matcher ref = value == null ? null : PodEnv.REFERENCE.matcher(value);
          if (ref == null || !ref.matches() || !fromSecrets.contains(ref.group(1))) {
            problem(where + ": Redis must require a password: --requirepass $(VAR) with VAR from a secretKeyRef");
          }
        }
      }
    }
  }

  /**
   * No password is written into any rendered object other than a (dev-only, checked above) Secret: not in
   * a URI's user-info, not as an env value of a variable named like a credential, not after
   * --requirepass, not as a password/token line of a ConfigMap file. References ($(VAR), $VAR) are fine.
   */
  private void literalPasswords() {
    for (Typed.Parsed doc : r.documents()) {
      Map<String, Object> raw = doc.raw();
      if ("Secret".equals(raw.get("kind"))) {
        continue;
      }
      String where = raw.get("kind") + "/" + Yaml.at(raw, "metadata", "name");
      scanForPasswords(where, "", raw);
    }
  }

  private void scanForPasswords(String where, String path, Object node) {
    if (node instanceof Map<?, ?> map) {
      Object name = map.get("name");
      Object value = map.get("value");
      if (name instanceof String n && value instanceof String v && CREDENTIAL_NAME.matcher(n).matches()
          && !v.isBlank() && !ONLY_REFERENCES.matcher(v).matches()) {
        problem(where + " " + path + ": " + n + " is a literal; take it from a secretKeyRef");
      }
      map.forEach((k, v) -> scanForPasswords(where, path + "." + k, v));
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        if (item instanceof String flag && flag.matches("--(requirepass|masterauth)") && i + 1 < list.size()
            && !ONLY_REFERENCES.matcher(String.valueOf(list.get(i + 1))).matches()) {
          problem(where + " " + path + "[" + (i + 1) + "]: a literal password after " + flag);
        }
        scanForPasswords(where, path + "[" + i + "]", item);
      }
    } else if (node instanceof String text) {
      Matcher uri = URI_PASSWORD.matcher(text);
      while (uri.find()) {
        if (!ONLY_REFERENCES.matcher(uri.group(1)).matches()) {
          problem(where + " " + path + ": a literal password in a URI (" + redact(uri.group()) + ")");
        }
      }
      if (text.contains("\n")) {
        Matcher line = CONFIG_PASSWORD.matcher(text);
        while (line.find()) {
          if (!ONLY_REFERENCES.matcher(line.group(1)).matches()) {
            problem(where + " " + path + ": a literal password in a config file line");
          }
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------- keda

  private void keda() {
    for (Map<String, Object> raw : r.raw("ScaledObject")) {
      ScaledObject so;
      try {
        so = ScaledObject.parse(raw);
      } catch (IllegalArgumentException e) {
        continue; // reported by the parse
      }
      String where = "ScaledObject/" + so.metadata().getName();
      var ref = so.spec().scaleTargetRef();
      String kind = ref.kind() == null ? "Deployment" : ref.kind();
      Optional<Rendered.Workload> target = r.workload(ref.name()).filter(w -> w.kind().equals(kind));
      if (target.isEmpty()) {
        problem(where + ": scaleTargetRef " + kind + "/" + ref.name() + " does not exist");
        continue;
      }
      if (r.all(HorizontalPodAutoscaler.class).stream()
          .anyMatch(h -> h.getSpec().getScaleTargetRef().getName().equals(ref.name()))) {
        problem(where + ": " + ref.name() + " also has its own HPA; KEDA's would fight it");
      }
      Container container = target.get().containers().get(0);
      Optional<QuetzalService> service = QuetzalService.byContainer(container.getName());
      Set<String> groups = new TreeSet<>();
      if (service.isPresent()) {
        Object config = service.get().read(PodEnv.resolve(r, target.get(), container).values()).config();
        for (String accessor : List.of("redisGroupId", "mongoGroupId")) {
          try {
            groups.add((String) config.getClass().getMethod(accessor).invoke(config));
          } catch (ReflectiveOperationException | NullPointerException e) {
            problem(where + ": cannot ask " + service.get().configClass + " for " + accessor + ": " + e);
          }
        }
      }
      Set<String> triggered = new TreeSet<>();
      for (ScaledObject.Trigger trigger : so.spec().triggers()) {
        String group = trigger.metadata().get("consumerGroup");
        triggered.add(group);
        if (!groups.contains(group)) {
          problem(where + ": consumerGroup " + group + " is not one the sinks use " + groups);
        }
        for (String server : trigger.metadata().getOrDefault("bootstrapServers", "").split(",")) {
          String host = server.contains(":") ? server.substring(0, server.lastIndexOf(':')) : server;
          int port = server.contains(":") ? Integer.parseInt(server.substring(server.lastIndexOf(':') + 1)) : -1;
          String[] labels = host.split("\\.");
          Optional<Service> svc = r.service(labels[0]);
          if (svc.isEmpty()) {
            problem(where + ": bootstrapServers host " + host + " is not a Service");
            continue;
          }
          if (labels.length < 2 || !labels[1].equals(svc.get().getMetadata().getNamespace())) {
            problem(where + ": KEDA runs in its own namespace; qualify " + host + " with the namespace "
                + svc.get().getMetadata().getNamespace());
          }
          reach(NetworkPolicies.keda(), svc.get(), port, where + " trigger " + trigger.name());
        }
      }
      if (!triggered.equals(groups)) {
        problem(where + ": must watch the lag of every sink group " + groups + ", watches " + triggered);
      }
    }
  }

  // ----------------------------------------------------------------------------------------- grafana

  /**
   * Grafana's provisioning, as mounted: the datasource reaches Redis, every $VARIABLE it interpolates is
   * set, the dashboard provider reads where the dashboards are mounted, and the dashboards use the
   * provisioned datasource uid and a refresh Grafana will honour.
   */
  private void grafana() {
    Optional<Rendered.Workload> grafana = r.workload("grafana");
    if (grafana.isEmpty()) {
      problem("there is no grafana Deployment");
      return;
    }
    Rendered.Workload w = grafana.get();
    Container c = w.containers().get(0);
    Map<String, String> env = PodEnv.resolve(r, w, c).values();
    Map<String, String> mounted = mountedFiles(w, c);
    Set<String> uids = new TreeSet<>();
    String datasourceDir = "/etc/grafana/provisioning/datasources/";
    String providerDir = "/etc/grafana/provisioning/dashboards/";
    List<String> dashboardDirs = new ArrayList<>();
    for (Map.Entry<String, String> file : mounted.entrySet()) {
      String path = file.getKey();
      if (path.startsWith(datasourceDir) || path.startsWith(providerDir)) {
        Matcher m = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)").matcher(file.getValue());
        while (m.find()) {
          if (!env.containsKey(m.group(1))) {
            problem(w + ": " + path + " interpolates $" + m.group(1) + ", which the container does not set");
          }
        }
      }
      if (path.startsWith(datasourceDir)) {
        Map<String, Object> doc = Yaml.documents(file.getValue(), path).get(0);
        for (Object raw : Yaml.list(doc.get("datasources"))) {
          Map<String, Object> ds = Yaml.cast(raw);
          uids.add(String.valueOf(ds.get("uid")));
          if (!"redis-datasource".equals(ds.get("type"))) {
            continue;
          }
          if (!String.valueOf(env.get("GF_PLUGINS_PREINSTALL_SYNC")).contains("redis-datasource")
              && !String.valueOf(c.getImage()).startsWith(GrafanaVersions.OFFLINE_REPOSITORY + ":")) {
            problem(w + ": the redis-datasource plugin is provisioned but neither installed (GF_PLUGINS_PREINSTALL_SYNC)"
                + " nor in the image (" + GrafanaVersions.OFFLINE_REPOSITORY + ")");
          }
          Matcher url = HOST_PORT.matcher(String.valueOf(ds.get("url")));
          if (!url.find() || r.service(url.group(1)).isEmpty()) {
            problem(w + ": datasource " + ds.get("uid") + " url " + ds.get("url") + " is not a Service of this deployment");
          } else {
            reach(NetworkPolicies.pod(r, w), r.service(url.group(1)).get(), Integer.parseInt(url.group(2)),
                w + " datasource " + ds.get("uid"));
          }
        }
      }
      if (path.startsWith(providerDir)) {
        Map<String, Object> doc = Yaml.documents(file.getValue(), path).get(0);
        for (Object raw : Yaml.list(doc.get("providers"))) {
          dashboardDirs.add(String.valueOf(Yaml.at(raw, "options", "path")));
        }
      }
    }
    if (uids.isEmpty()) {
      problem(w + ": no datasource is provisioned under " + datasourceDir);
    }
    if (dashboardDirs.isEmpty()) {
      problem(w + ": no dashboard provider under " + providerDir);
    }
    java.time.Duration minRefresh = Dashboard.interval(env.getOrDefault("GF_DASHBOARDS_MIN_REFRESH_INTERVAL", "5s"));
    int dashboards = 0;
    for (Map.Entry<String, String> file : mounted.entrySet()) {
      String dir = file.getKey().substring(0, file.getKey().lastIndexOf('/'));
      if (!dashboardDirs.contains(dir) || !file.getKey().endsWith(".json")) {
        continue;
      }
      dashboards++;
      Dashboard dashboard = Dashboard.parse(file.getValue());
      for (var ref : dashboard.datasourceRefs()) {
        if (!uids.contains(ref.path("uid").asText())) {
          problem(w + ": " + file.getKey() + " refers to datasource uid " + ref.path("uid").asText()
              + ", but provisioning defines " + uids);
        }
      }
      if (dashboard.refresh().isPresent() && dashboard.refresh().get().compareTo(minRefresh) < 0) {
        problem(w + ": " + file.getKey() + " refreshes every " + dashboard.refresh().get()
            + ", below GF_DASHBOARDS_MIN_REFRESH_INTERVAL " + minRefresh + ", so Grafana would slow it down");
      }
    }
    if (dashboards == 0) {
      problem(w + ": the dashboard providers read " + dashboardDirs + ", where no dashboard is mounted");
    }
    String home = env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
    if (home != null && !mounted.containsKey(home)) {
      problem(w + ": GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH " + home + " is not a mounted file");
    }
  }

  /** Every file a container sees from its ConfigMap volumes: mount path + key, to content. */
  private Map<String, String> mountedFiles(Rendered.Workload w, Container c) {
    Map<String, String> files = new java.util.TreeMap<>();
    for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      w.template().getSpec().getVolumes().stream()
          .filter(v -> v.getName().equals(m.getName()) && v.getConfigMap() != null)
          .findFirst()
          .flatMap(v -> r.configMap(v.getConfigMap().getName()))
          .ifPresent(cm -> {
            if (cm.getData() != null) {
              cm.getData().forEach((key, value) -> files.put(m.getMountPath() + "/" + key, value));
            }
          });
    }
    return files;
  }

  // ----------------------------------------------------------------------------------------- helpers

  private static String name(HasMetadata o) {
    return o.getMetadata().getName();
  }

  private static String text(IntOrString value) {
    return value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal();
  }

  private static String redact(String value) {
    return value.replaceFirst("//[^@/]*@", "//***@");
  }
}
