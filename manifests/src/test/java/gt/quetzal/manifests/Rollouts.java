package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Rollouts and drains that do not drop votes (the grace period against each service's shutdown
 * budget is in Wiring's environment check):
 * <ul>
 *   <li>every workload on the vote path and the live page has a PodDisruptionBudget, in every overlay;
 *   <li>routed pods pause in preStop, so Traefik drops the endpoint before the pod stops answering;
 *   <li>a static group member's GROUP_INSTANCE_ID is its pod name: unique per pod and stable across
 *       restarts (a shared literal would fence pods off each other, a random one rebalance every restart);
 *   <li>the streams app is a StatefulSet with state on a claim, rolled by the controller.
 * </ul>
 */
final class Rollouts {

  static final Set<String> BUDGETED = Set.of("ingest-http", "ingest-grpc", "web", "kafka", "streams-app", "sinks");
  /** Routed pods whose endpoints Traefik must forget before they stop: a few seconds of API watch latency. */
  static final Set<String> ROUTED = Set.of("ingest-http", "ingest-grpc", "web");
  static final long MIN_PRESTOP_SECONDS = 5;

  private Rollouts() {}

  static List<String> check(Rendered r) {
    List<String> problems = new ArrayList<>();
    for (Rendered.Workload w : r.workloads()) {
      String where = r.name() + ": " + w;
      if (BUDGETED.contains(w.name()) && r.all(PodDisruptionBudget.class).stream()
          .noneMatch(pdb -> LabelSelectors.matches(pdb.getSpec().getSelector(), w.podLabels()))) {
        problems.add(where + ": no PodDisruptionBudget selects it, so a drain may evict all of its pods at once");
      }
      for (Container c : w.containers()) {
        if (ROUTED.contains(w.name())) {
          long pause = c.getLifecycle() == null || c.getLifecycle().getPreStop() == null
              || c.getLifecycle().getPreStop().getSleep() == null
              ? 0 : c.getLifecycle().getPreStop().getSleep().getSeconds();
          if (pause < MIN_PRESTOP_SECONDS) {
            problems.add(where + " container " + c.getName() + ": preStop sleeps " + pause + " s; it needs at least "
                + MIN_PRESTOP_SECONDS + " s so Traefik stops routing before the pod stops answering");
          }
        }
        instanceId(c).ifPresent(id -> {
          if (!fromPodName(c, id)) {
            problems.add(where + " container " + c.getName() + ": GROUP_INSTANCE_ID must be the pod name"
                + " (fieldRef metadata.name, directly or as $(VAR)), got " + (id.getValue() != null ? id.getValue() : id.getValueFrom()));
          }
        });
      }
    }
    Optional<Rendered.Workload> streams = r.workload("streams-app");
    if (streams.isPresent()) {
      if (!(streams.get().owner() instanceof StatefulSet set)) {
        problems.add(r.name() + ": " + streams.get() + " must be a StatefulSet: its state and instance id belong to a pod identity");
      } else {
        if (set.getSpec().getVolumeClaimTemplates() == null || set.getSpec().getVolumeClaimTemplates().isEmpty()) {
          problems.add(r.name() + ": StatefulSet/streams-app has no volumeClaimTemplates, so every restart restores its state from the changelogs");
        }
        if (set.getSpec().getUpdateStrategy() != null && "OnDelete".equals(set.getSpec().getUpdateStrategy().getType())) {
          problems.add(r.name() + ": StatefulSet/streams-app uses OnDelete, so an apply never rolls it");
        }
      }
    }
    return problems;
  }

  private static Optional<EnvVar> instanceId(Container c) {
    return c.getEnv() == null ? Optional.empty()
        : c.getEnv().stream().filter(e -> "GROUP_INSTANCE_ID".equals(e.getName())).findFirst();
  }

  private static boolean fromPodName(Container c, EnvVar id) {
    if (isPodName(id)) {
      return true;
    }
    if (id.getValue() == null) {
      return false;
    }
    Matcher m = PodEnv.REFERENCE.matcher(id.getValue());
    if (!m.matches()) {
      return false; // a literal, or the pod name mixed into something else
    }
    Map<String, EnvVar> byName = new java.util.HashMap<>();
    c.getEnv().forEach(e -> byName.put(e.getName(), e));
    EnvVar ref = byName.get(m.group(1));
    return ref != null && isPodName(ref);
  }

  private static boolean isPodName(EnvVar e) {
    return e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null
        && "metadata.name".equals(e.getValueFrom().getFieldRef().getFieldPath());
  }
}
