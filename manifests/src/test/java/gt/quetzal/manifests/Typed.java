package gt.quetzal.manifests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses plain trees into fabric8's typed Kubernetes model, as strictly as the API server decodes:
 * the kind must be one of the API versions this project targets, scalars are not coerced (a quoted
 * port or an unquoted env value fails, as it does for kubectl), and a field fabric8 does not know — a
 * typo — is reported wherever it hides (fabric8 keeps it in additionalProperties, recursively).
 */
final class Typed {

  /** Every apiVersion/kind the manifests may use: current, non-deprecated APIs only. */
  static final Set<String> ALLOWED = Set.of(
      "v1/Namespace", "v1/Service", "v1/ConfigMap", "v1/Secret",
      "apps/v1/Deployment", "apps/v1/StatefulSet", "batch/v1/Job",
      "autoscaling/v2/HorizontalPodAutoscaler", "policy/v1/PodDisruptionBudget",
      "networking.k8s.io/v1/Ingress", "networking.k8s.io/v1/NetworkPolicy",
      // Prometheus' pod discovery: its ServiceAccount and read-only Role.
      "v1/ServiceAccount", "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding");

  /** Custom resources, which fabric8 has no model for: checked by {@link ScaledObject} instead. */
  static final Set<String> CUSTOM = Set.of("keda.sh/v1alpha1/ScaledObject");

  /** Only used to find the model class of an apiVersion/kind (its own mapper coerces scalars). */
  private static final KubernetesSerialization REGISTRY = new KubernetesSerialization();

  static final ObjectMapper STRICT = strictMapper();

  private Typed() {}

  private static ObjectMapper strictMapper() {
    JsonMapper mapper = JsonMapper.builder()
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .build();
    // The API server refuses a number where a string belongs (env values, labels) and vice versa.
    for (LogicalType type : List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Boolean, LogicalType.Float)) {
      mapper.coercionConfigFor(type)
          .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
              ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.String, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
    }
    return mapper;
  }

  /** A parsed document: its typed form (null for custom resources or on failure) and what was wrong. */
  record Parsed(Map<String, Object> raw, HasMetadata typed, List<String> problems) {}

  static Parsed parse(Map<String, Object> raw, String origin) {
    List<String> problems = new ArrayList<>();
    String id = raw.get("apiVersion") + "/" + raw.get("kind");
    String where = origin + " " + raw.get("kind") + "/" + Yaml.at(raw, "metadata", "name");
    if (CUSTOM.contains(id)) {
      problems.addAll(ScaledObject.check(raw, where));
      return new Parsed(raw, null, problems);
    }
    if (!ALLOWED.contains(id)) {
      problems.add(where + ": apiVersion/kind " + id + " is not one this project deploys (allowed: " + ALLOWED + ")");
      return new Parsed(raw, null, problems);
    }
    HasMetadata typed;
    Class<? extends KubernetesResource> type =
        REGISTRY.getRegisteredKubernetesResource(String.valueOf(raw.get("apiVersion")), String.valueOf(raw.get("kind")));
    if (type == null || !HasMetadata.class.isAssignableFrom(type) || type == GenericKubernetesResource.class) {
      problems.add(where + ": fabric8 has no typed model for " + id);
      return new Parsed(raw, null, problems);
    }
    try {
      typed = (HasMetadata) STRICT.convertValue(raw, type);
    } catch (IllegalArgumentException e) {
      problems.add(where + ": does not match the Kubernetes schema: " + rootMessage(e));
      return new Parsed(raw, null, problems);
    }
    for (String unknown : unknownFields(typed)) {
      problems.add(where + ": unknown field " + unknown);
    }
    if (typed.getMetadata() == null || typed.getMetadata().getName() == null) {
      problems.add(where + ": metadata.name is missing");
    }
    return new Parsed(raw, typed, problems);
  }

  /** A partial object (a strategic-merge patch file) checked against the schema of its kind. */
  static List<String> parsePartial(Map<String, Object> raw, String origin) {
    return parse(raw, origin).problems().stream()
        .filter(p -> !p.endsWith("metadata.name is missing"))
        .toList();
  }

  /**
   * Every field that fabric8 could not place, as {@code path.to.object: name}. fabric8 model classes
   * keep unknown JSON properties (and values of the wrong type) in {@code getAdditionalProperties()}.
   */
  static List<String> unknownFields(Object typed) {
    List<String> found = new ArrayList<>();
    walk(typed, "", found, Collections.newSetFromMap(new IdentityHashMap<>()));
    return found;
  }

  private static void walk(Object node, String path, List<String> found, Set<Object> seen) {
    if (node == null || !seen.add(node)) {
      return;
    }
    if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", found, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, found, seen));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method method : node.getClass().getMethods()) {
      if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
          || method.getDeclaringClass() == Object.class) {
        continue;
      }
      String name = method.getName();
      if (name.equals("getAdditionalProperties")) {
        Map<?, ?> extra = (Map<?, ?>) invoke(method, node);
        if (extra != null) {
          extra.keySet().forEach(k -> found.add((path.isEmpty() ? "" : path.substring(1) + ".") + k));
        }
      } else if (name.startsWith("get") && name.length() > 3 && isModelProperty(method)) {
        String property = Character.toLowerCase(name.charAt(3)) + name.substring(4);
        walk(invoke(method, node), path + "." + property, found, seen);
      }
    }
  }

  /** Only walk real properties of model classes, not HasMetadata's computed defaults. */
  private static boolean isModelProperty(Method method) {
    Class<?> declaring = method.getDeclaringClass();
    return declaring.getName().startsWith("io.fabric8.kubernetes.api.model") && !declaring.isInterface();
  }

  private static Object invoke(Method method, Object target) {
    try {
      return method.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return null;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    int newline = message.indexOf('\n');
    return newline > 0 ? message.substring(0, newline) : message;
  }
}
