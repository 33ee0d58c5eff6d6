package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The comparison KubectlKustomizeTest judges by: order-blind between objects, exact within them. */
class RenderDiffTest {

  private static List<Map<String, Object>> local() {
    List<Map<String, Object>> docs = new ArrayList<>();
    Kustomize.build(Repo.manifests().resolve(Deployments.LOCAL)).forEach(d -> docs.add(Yaml.copy(d)));
    return docs;
  }

  @Test
  void theSameObjectsInAnotherOrderDoNotDiffer() {
    List<Map<String, Object>> shuffled = local();
    Collections.reverse(shuffled);
    assertThat(RenderDiff.between(local(), shuffled, "local")).isEmpty();
  }

  @Test
  void aChangedFieldAMissingObjectAndAReorderedListAreEachReported() {
    List<Map<String, Object>> real = local();
    Map<String, Object> web = real.stream().filter(d -> "Deployment".equals(d.get("kind")) && "web".equals(Yaml.at(d, "metadata", "name")))
        .findFirst().orElseThrow();
    Yaml.cast(web.get("spec")).put("revisionHistoryLimit", 7);
    real.removeIf(d -> "Secret".equals(d.get("kind")) && "grafana-admin".equals(Yaml.at(d, "metadata", "name")));
    Collections.reverse(Yaml.list(Yaml.at(web, "spec", "template", "spec", "containers", 0, "env")));
    assertThat(RenderDiff.between(local(), real, "local"))
        .anySatisfy(p -> assertThat(p).contains("apps/v1/Deployment/quetzal/web spec.revisionHistoryLimit: Kustomize.java has 3, kubectl 7"))
        .anySatisfy(p -> assertThat(p).contains("v1/Secret/quetzal/grafana-admin only in Kustomize.java's render"))
        .anySatisfy(p -> assertThat(p).contains("web spec.template.spec.containers[0].env[0].name"));
  }
}
