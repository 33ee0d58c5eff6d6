package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Images never fall back to Docker Hub, and prod pulls from the registry the build is told about. */
class ImagePolicyTest {

  private static List<Map<String, Object>> copyOf(Rendered rendered) {
    List<Map<String, Object>> docs = new ArrayList<>();
    rendered.documents().forEach(d -> docs.add(Yaml.copy(d.raw())));
    return docs;
  }

  private static Map<String, Object> container(List<Map<String, Object>> docs, String kind, String name) {
    Map<String, Object> doc = docs.stream()
        .filter(d -> kind.equals(d.get("kind")) && name.equals(Yaml.at(d, "metadata", "name")))
        .findFirst().orElseThrow();
    return Yaml.cast(Yaml.at(doc, "spec", "template", "spec", "containers", 0));
  }

  private static List<String> localProblemsAfter(Consumer<List<Map<String, Object>>> breakIt) {
    List<Map<String, Object>> docs = copyOf(Deployments.local());
    breakIt.accept(docs);
    return Wiring.check(Rendered.of("broken", docs, Set.of()));
  }

  /** -Dprod.registry (through surefire) or PROD_REGISTRY; blank when neither is given. */
  private static String givenRegistry() {
    String property = System.getProperty("quetzal.prodRegistry", "");
    return !property.isBlank() && !property.startsWith("${") ? property : System.getenv().getOrDefault("PROD_REGISTRY", "");
  }

  @Test
  void theLocalOverlayRunsOnlyImagesThatCannotBePulledFromAPublicRegistry() {
    for (Rendered.Workload w : Deployments.local().workloads()) {
      w.containers().stream()
          .filter(c -> QuetzalService.byContainer(c.getName()).isPresent() || Wiring.CONTEST_TOOL.equals(c.getName()))
          .forEach(c -> assertThat(ImagePolicy.registryOf(c.getImage())).as(w + " " + c.getImage()).contains(ImagePolicy.LOCAL_REGISTRY));
    }
  }

  @Test
  void prodPullsEveryServiceImageFromARegistryAndTheGivenOneWhenGiven() {
    Rendered prod = Deployments.prod();
    for (Rendered.Workload w : prod.workloads()) {
      w.containers().stream()
          .filter(c -> QuetzalService.byContainer(c.getName()).isPresent() || Wiring.CONTEST_TOOL.equals(c.getName()))
          .forEach(c -> assertThat(ImagePolicy.registryOf(c.getImage())).as(w + " " + c.getImage())
              .isPresent().get().isNotEqualTo(ImagePolicy.LOCAL_REGISTRY));
    }
    assertThat(ImagePolicy.checkProdRegistry(prod, givenRegistry())).isEmpty();
  }

  @Test
  void aGivenRegistryFailsWhileProdStillNamesThePlaceholder() throws Exception {
    assertThat(ImagePolicy.checkProdRegistry(Deployments.prod(), "ghcr.io/acme"))
        .hasSize(6) // ingest-http, ingest-grpc, streams-app, sinks, web, contest-catalog
        .allSatisfy(p -> assertThat(p).contains("still the placeholder"));
    // The same overlay once the user has set a registry: nothing left to say.
    List<Map<String, Object>> set = new ArrayList<>();
    for (Map<String, Object> d : copyOf(Deployments.prod())) {
      set.add(Yaml.cast(Yaml.single(Yaml.MAPPER.writeValueAsString(d)
          .replace(ImagePolicy.PROD_PLACEHOLDER + "/", "ghcr.io/acme/"), "rewritten")));
    }
    assertThat(ImagePolicy.checkProdRegistry(Rendered.of("prod set", set, Deployments.PROD_EXTERNAL_SECRETS), "ghcr.io/acme/")).isEmpty();
  }

  @Test
  void anUnqualifiedImageIsCaughtAsDockerHub() {
    String version = Poms.projectVersion(Repo.root());
    assertThat(localProblemsAfter(docs -> container(docs, "Deployment", "sinks").put("image", "quetzal/sinks:" + version)))
        .anySatisfy(p -> assertThat(p).contains("Deployment/sinks container sinks: image quetzal/sinks:" + version
            + " names no registry, so the kubelet would pull docker.io/"));
    assertThat(localProblemsAfter(docs -> container(docs, "Job", Wiring.CONTEST_TOOL).put("image", "quetzal/streams-app:" + version)))
        .anySatisfy(p -> assertThat(p).contains("Job/contest-catalog container contest-catalog: image quetzal/streams-app:"));
  }

  @Test
  void anUnqualifiedGrafanaImageIsCaught() {
    assertThat(localProblemsAfter(docs -> container(docs, "Deployment", "grafana").put("image", "quetzal/grafana:12.4.0-redis-datasource-2.2.0")))
        .anySatisfy(p -> assertThat(p).contains("resolves to docker.io/quetzal/grafana"));
  }

  @Test
  void aPulledLocalImageAndAModuleLeftOutOfTheImagesBlockAreCaught() {
    assertThat(localProblemsAfter(docs -> container(docs, "Deployment", "web").put("imagePullPolicy", "Always")))
        .anySatisfy(p -> assertThat(p).contains("Deployment/web container web: imagePullPolicy must be one of [IfNotPresent, Never]"));
    String version = Poms.projectVersion(Repo.root());
    assertThat(localProblemsAfter(docs -> container(docs, "Deployment", "web").put("image", "ghcr.io/acme/quetzal/web:" + version)))
        .anySatisfy(p -> assertThat(p).contains("the service images come from several registries [ghcr.io, localhost]"));
  }

  @Test
  void kustomizeImagesRewriteTheRepositoryOnlyOnAnExactMatch() {
    Kustomization.Image rule = new Kustomization.Image("localhost/quetzal/ingest", "ghcr.io/a/quetzal/ingest", null, null);
    assertThat(Kustomize.rewrite("localhost/quetzal/ingest:1.0", rule)).isEqualTo("ghcr.io/a/quetzal/ingest:1.0");
    assertThat(Kustomize.rewrite("localhost/quetzal/ingest-x:1.0", rule)).isNull();
    assertThat(Kustomize.rewrite("localhost/quetzal/ingest", new Kustomization.Image("localhost/quetzal/ingest", null, "2", null)))
        .isEqualTo("localhost/quetzal/ingest:2");
    assertThat(Kustomize.rewrite("localhost:5000/q:1", new Kustomization.Image("localhost:5000/q", null, null, "sha256:ab")))
        .isEqualTo("localhost:5000/q@sha256:ab");
  }
}
