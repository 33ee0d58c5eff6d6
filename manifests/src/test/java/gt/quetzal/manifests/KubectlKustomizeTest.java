package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real kustomize (kubectl's) renders what the Java one renders, object for object and field for
 * field, for both overlays and every component mix the other tests check. Skipped where kubectl is not installed: a fresh Debian machine cannot
 * install a recent enough one, and the Java renderer plus the typed checks run everywhere.
 */
class KubectlKustomizeTest {

  private static Optional<Path> kubectl() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static List<Map<String, Object>> render(Path dir) throws IOException, InterruptedException {
    Optional<Path> kubectl = kubectl();
    assumeTrue(kubectl.isPresent(), "kubectl is not on PATH");
    Process p = new ProcessBuilder(kubectl.get().toString(), "kustomize", dir.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return Yaml.documents(out, "kubectl kustomize " + dir);
  }

  private static Map<String, Object> grafanaContainer(List<Map<String, Object>> docs) {
    Map<String, Object> deployment = docs.stream()
        .filter(d -> "Deployment".equals(d.get("kind")) && "grafana".equals(Yaml.at(d, "metadata", "name")))
        .findFirst().orElseThrow();
    return Yaml.cast(Yaml.at(deployment, "spec", "template", "spec", "containers", 0));
  }

  private static List<String> envNames(Map<String, Object> container) {
    List<String> names = new ArrayList<>();
    Yaml.list(container.get("env")).forEach(e -> names.add(String.valueOf(Yaml.cast(e).get("name"))));
    return names;
  }

  /** A kustomization under target/ naming an overlay and components, as a user composes them. */
  private static Path mix(String overlay, List<String> components) throws IOException {
    Path dir = Repo.manifests().resolve("target/kubectl-mix/" + (overlay + "+" + String.join("+", components)).replaceAll("[^a-z+-]", "-"));
    Files.createDirectories(dir);
    StringBuilder text = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: quetzal\n"
        + "resources:\n  - ../../../" + overlay + "\ncomponents:\n");
    components.forEach(c -> text.append("  - ../../../").append(c).append('\n'));
    Files.writeString(dir.resolve("kustomization.yaml"), text);
    return dir;
  }

  /**
   * The real kustomize is the judge: every deployment the tests check renders to the same objects,
   * field for field, with kubectl as with Kustomize.java.
   */
  @Test
  void everyDeploymentRendersExactlyAsKubectlRendersIt() throws Exception {
    assumeTrue(kubectl().isPresent(), "kubectl is not on PATH");
    List<String> differences = new ArrayList<>();
    for (String overlay : List.of(Deployments.LOCAL, Deployments.PROD)) {
      differences.addAll(RenderDiff.between(Kustomize.build(Repo.manifests().resolve(overlay)),
          render(Repo.manifests().resolve(overlay)), overlay));
    }
    for (List<String> components : List.of(List.of("components/loadbalancer"), List.of("components/keda"),
        List.of("components/grafana-offline"))) {
      String name = Deployments.LOCAL + " + " + String.join(" + ", components);
      differences.addAll(RenderDiff.between(
          Deployments.withComponents(Deployments.LOCAL, java.util.Set.of(), components.toArray(String[]::new)).documents()
              .stream().map(Typed.Parsed::raw).toList(),
          render(mix(Deployments.LOCAL, components)), name));
    }
    List<String> prodMix = List.of("components/loadbalancer", "components/keda");
    differences.addAll(RenderDiff.between(
        Deployments.withComponents(Deployments.PROD, Deployments.PROD_EXTERNAL_SECRETS, prodMix.toArray(String[]::new)).documents()
            .stream().map(Typed.Parsed::raw).toList(),
        render(mix(Deployments.PROD, prodMix)), Deployments.PROD + " + " + String.join(" + ", prodMix)));
    assertThat(differences).isEmpty();
  }

  @Test
  void theOfflineComponentRunsTheBakedImageAndDownloadsNothing() throws Exception {
    // A throwaway kustomization (under target/) that adds the component to the local overlay.
    Path mix = Repo.manifests().resolve("target/kubectl-grafana-offline");
    Files.createDirectories(mix);
    Files.writeString(mix.resolve("kustomization.yaml"), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../../overlays/local
        components:
          - ../../components/grafana-offline
        """);
    Map<String, Object> offline = grafanaContainer(render(mix));
    GrafanaVersions.Pins pins = GrafanaVersions.fromDockerfile(Files.readString(Repo.grafana().resolve("image/Dockerfile")));
    assertThat(offline.get("image")).isEqualTo(pins.offlineImage());
    assertThat(envNames(offline)).doesNotContain("GF_PLUGINS_PREINSTALL_SYNC")
        .contains("GF_PLUGINS_PREINSTALL_DISABLED", "GF_PATHS_PLUGINS", "REDIS_PASSWORD");
    Map<String, Object> online = grafanaContainer(render(Repo.manifests().resolve(Deployments.LOCAL)));
    assertThat(envNames(online)).contains("GF_PLUGINS_PREINSTALL_SYNC");
    // Only the preinstall went: every other variable of the base is still there.
    List<String> kept = new ArrayList<>(envNames(online));
    kept.remove("GF_PLUGINS_PREINSTALL_SYNC");
    assertThat(envNames(offline)).containsAll(kept);
  }
}
