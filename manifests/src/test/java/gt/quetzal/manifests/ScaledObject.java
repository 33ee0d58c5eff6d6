package gt.quetzal.manifests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KEDA's ScaledObject (keda.sh/v1alpha1), which fabric8 has no model for: a strict structural model of
 * the fields KEDA's CRD defines, so a typo or a wrong type fails like the CRD's schema would make the
 * API server fail it, plus the kafka scaler's metadata keys (all strings, as the CRD demands).
 */
record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(
      ScaleTargetRef scaleTargetRef,
      Integer pollingInterval,
      Integer cooldownPeriod,
      Integer initialCooldownPeriod,
      Integer idleReplicaCount,
      Integer minReplicaCount,
      Integer maxReplicaCount,
      Fallback fallback,
      Map<String, Object> advanced,
      List<Trigger> triggers) {}

  record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {}

  record Fallback(Integer failureThreshold, Integer replicas, String behavior) {}

  record Trigger(
      String type,
      String name,
      Map<String, String> metadata,
      AuthenticationRef authenticationRef,
      String metricType,
      Boolean useCachedMetrics) {}

  record AuthenticationRef(String name, String kind) {}

  /** The kafka scaler's documented parameters. */
  static final Set<String> KAFKA_METADATA = Set.of(
      "bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold",
      "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset", "excludePersistentLag",
      "version", "partitionLimitation", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions",
      "sasl", "tls", "unsafeSsl");

  private static final ObjectMapper STRICT = JsonMapper.builder()
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  static ScaledObject parse(Map<String, Object> raw) {
    return STRICT.convertValue(raw, ScaledObject.class);
  }

  /** Structural problems of one ScaledObject document; wiring is checked with the rest. */
  static List<String> check(Map<String, Object> raw, String where) {
    List<String> problems = new ArrayList<>();
    ScaledObject so;
    try {
      so = parse(raw);
    } catch (IllegalArgumentException e) {
      problems.add(where + ": does not match KEDA's ScaledObject schema: " + firstLine(e.getMessage()));
      return problems;
    }
    Typed.unknownFields(so.metadata()).forEach(f -> problems.add(where + ": unknown field metadata." + f));
    if (so.metadata() == null || so.metadata().getName() == null) {
      problems.add(where + ": metadata.name is missing");
    }
    Spec spec = so.spec();
    if (spec == null || spec.scaleTargetRef() == null || spec.scaleTargetRef().name() == null) {
      problems.add(where + ": spec.scaleTargetRef.name is required");
      return problems;
    }
    if (spec.triggers() == null || spec.triggers().isEmpty()) {
      problems.add(where + ": spec.triggers needs at least one trigger");
      return problems;
    }
    int min = spec.minReplicaCount() == null ? 0 : spec.minReplicaCount();
    int max = spec.maxReplicaCount() == null ? 100 : spec.maxReplicaCount();
    if (min < 0 || max < 1 || min > max) {
      problems.add(where + ": need 0 <= minReplicaCount <= maxReplicaCount, got " + min + ".." + max);
    }
    if (spec.fallback() != null && (spec.fallback().failureThreshold() == null || spec.fallback().replicas() == null)) {
      problems.add(where + ": fallback needs failureThreshold and replicas");
    }
    for (Trigger trigger : spec.triggers()) {
      String t = where + " trigger " + trigger.name();
      if (!"kafka".equals(trigger.type())) {
        problems.add(t + ": only the kafka scaler is expected here, got " + trigger.type());
        continue;
      }
      Map<String, String> metadata = trigger.metadata() == null ? Map.of() : trigger.metadata();
      for (String key : metadata.keySet()) {
        if (!KAFKA_METADATA.contains(key)) {
          problems.add(t + ": unknown kafka scaler parameter " + key);
        }
      }
      for (String required : List.of("bootstrapServers", "consumerGroup", "lagThreshold")) {
        if (metadata.get(required) == null || metadata.get(required).isBlank()) {
          problems.add(t + ": " + required + " is required");
        }
      }
      for (String numeric : List.of("lagThreshold", "activationLagThreshold")) {
        String value = metadata.get(numeric);
        if (value != null && !value.matches("[1-9][0-9]*")) {
          problems.add(t + ": " + numeric + " must be a positive integer, got " + value);
        }
      }
      String reset = metadata.get("offsetResetPolicy");
      if (reset != null && !Set.of("earliest", "latest").contains(reset)) {
        problems.add(t + ": offsetResetPolicy must be earliest or latest");
      }
    }
    return problems;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline > 0 ? message.substring(0, newline) : message;
  }
}
