package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Broken copies for {@link Rollouts}; the unbroken deployments pass it in WiringTest. */
class RolloutsTest {

  private static List<String> localProblemsAfter(Consumer<List<Map<String, Object>>> breakIt) {
    List<Map<String, Object>> docs = new ArrayList<>();
    Deployments.local().documents().forEach(d -> docs.add(Yaml.copy(d.raw())));
    breakIt.accept(docs);
    return Rollouts.check(Rendered.of("broken", docs, Set.of()));
  }

  private static Map<String, Object> doc(List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(Yaml.at(d, "metadata", "name")))
        .findFirst().orElseThrow();
  }

  private static Map<String, Object> container(List<Map<String, Object>> docs, String kind, String name) {
    return Yaml.cast(Yaml.at(doc(docs, kind, name), "spec", "template", "spec", "containers", 0));
  }

  @Test
  void theLocalOverlayHasABudgetForEveryWorkloadOnTheVotePath() {
    assertThat(localProblemsAfter(docs -> {})).isEmpty();
    assertThat(Deployments.local().all(io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class))
        .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(Rollouts.BUDGETED);
  }

  @Test
  void aMissingBudgetIsCaught() {
    assertThat(localProblemsAfter(docs -> docs.remove(doc(docs, "PodDisruptionBudget", "ingest-http"))))
        .containsExactly("broken: Deployment/ingest-http: no PodDisruptionBudget selects it, so a drain may evict all of its pods at once");
  }

  @Test
  void aRoutedPodWithoutItsPreStopPauseIsCaught() {
    assertThat(localProblemsAfter(docs -> container(docs, "Deployment", "ingest-grpc").remove("lifecycle")))
        .anySatisfy(p -> assertThat(p).contains("Deployment/ingest-grpc container ingest-grpc: preStop sleeps 0 s"));
  }

  @Test
  void aSharedOrIndirectInstanceIdIsCaught() {
    assertThat(localProblemsAfter(docs -> Yaml.list(container(docs, "StatefulSet", "streams-app").get("env")).stream()
        .map(Yaml::cast).filter(e -> "GROUP_INSTANCE_ID".equals(e.get("name"))).forEach(e -> e.put("value", "streams-app"))))
        .anySatisfy(p -> assertThat(p).contains("StatefulSet/streams-app container streams-app: GROUP_INSTANCE_ID must be the pod name"));
    assertThat(localProblemsAfter(docs -> Yaml.list(container(docs, "Deployment", "sinks").get("env")).stream()
        .map(Yaml::cast).filter(e -> "GROUP_INSTANCE_ID".equals(e.get("name"))).forEach(e -> e.put("value", "$(POD_NAME)-x"))))
        .anySatisfy(p -> assertThat(p).contains("Deployment/sinks container sinks: GROUP_INSTANCE_ID must be the pod name"));
  }

  @Test
  void aStreamsAppWithoutItsClaimOrRolloutIsCaught() {
    assertThat(localProblemsAfter(docs -> {
      Map<String, Object> spec = Yaml.cast(doc(docs, "StatefulSet", "streams-app").get("spec"));
      spec.remove("volumeClaimTemplates");
      spec.put("updateStrategy", new java.util.LinkedHashMap<>(Map.of("type", "OnDelete")));
    }))
        .anySatisfy(p -> assertThat(p).contains("StatefulSet/streams-app has no volumeClaimTemplates"))
        .anySatisfy(p -> assertThat(p).contains("StatefulSet/streams-app uses OnDelete"));
  }
}
