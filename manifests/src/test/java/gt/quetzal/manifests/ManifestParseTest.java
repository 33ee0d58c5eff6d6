package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest file and every rendered deployment parses into typed objects, with no unknown field. */
class ManifestParseTest {

  static Stream<Path> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.walk(Repo.manifests())) {
      return files
          .filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.toString().contains("/src/") && !p.toString().contains("/target/"))
          .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
          .filter(p -> !p.toString().contains("/files/"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifestFiles")
  void everyManifestFileParsesStrictly(Path file) {
    List<Map<String, Object>> docs = Yaml.documents(file);
    assertThat(docs).as(file + " has documents").isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> doc : docs) {
      // Overlay patch files are partial objects: they must still only use known fields and types.
      problems.addAll(Typed.parsePartial(doc, Repo.manifests().relativize(file).toString()));
    }
    assertThat(problems).isEmpty();
  }

  static Stream<Path> kustomizations() throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (Path root : List.of(Repo.manifests(), Repo.grafana())) {
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
            .filter(p -> !p.toString().contains("/src/") && !p.toString().contains("/target/"))
            .forEach(p -> dirs.add(p.getParent()));
      }
    }
    return dirs.stream().sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  void everyKustomizationUsesOnlyWhatTheRendererImplements(Path dir) {
    Kustomization k = Kustomize.read(dir);
    assertThat(k.kind()).isIn("Kustomization", "Component");
    if (!k.isComponent()) {
      // Each one renders on its own too, as `kubectl kustomize <dir>` would.
      assertThat(Kustomize.build(dir)).isNotEmpty();
    }
  }

  static Stream<Rendered> deployments() {
    return Deployments.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void everyRenderedObjectParsesStrictly(Rendered rendered) {
    assertThat(rendered.parseProblems()).isEmpty();
    assertThat(rendered.documents()).hasSizeGreaterThan(30);
  }

  @Test
  void everyObjectLandsInTheQuetzalNamespace() {
    Rendered local = Deployments.local();
    assertThat(local.all(Namespace.class)).extracting(n -> n.getMetadata().getName()).containsExactly("quetzal");
    local.typed().stream()
        .filter(o -> !(o instanceof Namespace))
        .forEach(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind() + "/" + o.getMetadata().getName())
            .isEqualTo("quetzal"));
  }

  @Test
  void theDeployedCatalogIsTheDemoCatalog() {
    // kustomize cannot read config/ from manifests/base, so the base keeps a copy; it must not drift.
    assertThat(Yaml.read(Repo.manifests().resolve("base/files/catalog.json")))
        .isEqualTo(Yaml.read(Repo.root().resolve("config/catalog.json")));
  }

  @Test
  void prodRunsThreeKafkaNodesAndLocalOne() {
    assertThat(Deployments.prod().find(StatefulSet.class, "kafka").orElseThrow().getSpec().getReplicas()).isEqualTo(3);
    assertThat(Deployments.local().find(StatefulSet.class, "kafka").orElseThrow().getSpec().getReplicas()).isEqualTo(1);
  }
}
