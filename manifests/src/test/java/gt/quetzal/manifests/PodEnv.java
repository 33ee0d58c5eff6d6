package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet will build it: literal values, Secret and ConfigMap keys
 * looked up in the rendered objects (a Secret the deployment expects to be created out of band gets a
 * URL-safe sample value), downward-API fields with plausible pod values, and {@code $(VAR)} expanded
 * against the variables defined before it — which is why order matters and is checked.
 */
final class PodEnv {

  static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /**
   * @param values    the final value of every variable
   * @param fromRefs  variables whose value comes from a Secret, ConfigMap or the downward API
   * @param referenced variables used inside another variable's {@code $(...)}
   */
  record Resolved(Map<String, String> values, Set<String> fromRefs, Set<String> referenced, List<String> problems) {}

  private PodEnv() {}

  static Resolved resolve(Rendered rendered, Rendered.Workload workload, Container container) {
    Map<String, String> values = new LinkedHashMap<>();
    Set<String> fromRefs = new LinkedHashSet<>();
    Set<String> referenced = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    String where = workload + " container " + container.getName();
    if (container.getEnvFrom() != null && !container.getEnvFrom().isEmpty()) {
      problems.add(where + ": envFrom is not used in this project (every variable is named, so each is checked)");
    }
    List<EnvVar> env = container.getEnv() == null ? List.of() : container.getEnv();
    Set<String> names = new LinkedHashSet<>();
    for (EnvVar var : env) {
      if (!names.add(var.getName())) {
        problems.add(where + ": " + var.getName() + " is set twice");
      }
      String value;
      if (var.getValueFrom() != null) {
        fromRefs.add(var.getName());
        value = fromSource(rendered, workload, var.getValueFrom(), where + " " + var.getName(), problems);
      } else {
        value = expand(var.getValue() == null ? "" : var.getValue(), values, referenced, where + " " + var.getName(),
            problems);
      }
      values.put(var.getName(), value);
    }
    return new Resolved(values, fromRefs, referenced, problems);
  }

  private static String expand(String raw, Map<String, String> defined, Set<String> referenced, String where,
      List<String> problems) {
    String escaped = raw.replace("$$", "\u0000");
    Matcher m = REFERENCE.matcher(escaped);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = defined.get(name);
      if (value == null) {
        // The kubelet would leave "$(NAME)" in the value verbatim.
        problems.add(where + ": $(" + name + ") is not defined before it, so the pod would get it verbatim");
        value = m.group();
      } else {
        referenced.add(name);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString().replace("\u0000", "$");
  }

  private static String fromSource(Rendered rendered, Rendered.Workload workload, EnvVarSource source, String where,
      List<String> problems) {
    if (source.getFieldRef() != null) {
      String path = source.getFieldRef().getFieldPath();
      return switch (path) {
        case "metadata.name" -> workload.owner() instanceof StatefulSet
            ? workload.name() + "-0" : workload.name() + "-7c9d8b6f5-x2k4q";
        case "metadata.namespace" -> Optional.ofNullable(workload.owner().getMetadata().getNamespace()).orElse("default");
        case "status.podIP" -> "10.42.0.17";
        case "spec.nodeName" -> "node-1";
        default -> {
          problems.add(where + ": unexpected fieldRef " + path);
          yield "";
        }
      };
    }
    if (source.getSecretKeyRef() != null) {
      String name = source.getSecretKeyRef().getName();
      String key = source.getSecretKeyRef().getKey();
      Optional<Secret> secret = rendered.secret(name);
      if (secret.isEmpty()) {
        if (rendered.externalSecrets().contains(name)) {
          return "sample-" + name + "-" + key;
        }
        problems.add(where + ": Secret " + name + " does not exist in " + rendered.name());
        return "";
      }
      String value = secretValue(secret.get(), key);
      if (value == null) {
        problems.add(where + ": Secret " + name + " has no key " + key);
        return "";
      }
      return value;
    }
    if (source.getConfigMapKeyRef() != null) {
      String name = source.getConfigMapKeyRef().getName();
      String key = source.getConfigMapKeyRef().getKey();
      Optional<ConfigMap> configMap = rendered.configMap(name);
      if (configMap.isEmpty() || configMap.get().getData() == null || !configMap.get().getData().containsKey(key)) {
        problems.add(where + ": ConfigMap " + name + " with key " + key + " does not exist");
        return "";
      }
      return configMap.get().getData().get(key);
    }
    if (source.getResourceFieldRef() != null) {
      return "1";
    }
    problems.add(where + ": an empty valueFrom");
    return "";
  }

  static String secretValue(Secret secret, String key) {
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return null;
  }
}
