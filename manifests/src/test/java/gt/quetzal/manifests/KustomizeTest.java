package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java kustomize behaves like kustomize for everything the overlays rely on. */
class KustomizeTest {

  @TempDir
  Path dir;

  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: app
        labels:
          tier: back
      spec:
        template:
          spec:
            containers:
              - name: app
                image: app:1
                env:
                  - name: A
                    value: "1"
                  - name: B
                    value: "2"
                ports:
                  - containerPort: 8080
              - name: sidecar
                image: side:1
      """;

  private Path write(String relative, String text) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private void base() throws IOException {
    write("base/app.yaml", DEPLOYMENT);
    write("base/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - app.yaml
        """);
  }

  private static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).findFirst().orElseThrow();
  }

  @Test
  void strategicMergeMergesContainersAndEnvByNameAndReplacesScalars() throws IOException {
    base();
    write("overlay/patch.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app
        spec:
          replicas: 3
          template:
            spec:
              containers:
                - name: app
                  env:
                    - name: B
                      value: "20"
                    - name: C
                      value: "3"
        """);
    write("overlay/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: ns
        resources:
          - ../base
        patches:
          - path: patch.yaml
        """);
    Map<String, Object> app = only(Kustomize.build(dir.resolve("overlay")), "Deployment");
    assertThat(Yaml.at(app, "metadata", "namespace")).isEqualTo("ns");
    assertThat(Yaml.at(app, "spec", "replicas")).isEqualTo(3);
    assertThat(Yaml.list(Yaml.at(app, "spec", "template", "spec", "containers"))).hasSize(2);
    assertThat(Yaml.list(Yaml.at(app, "spec", "template", "spec", "containers", 0, "env")))
        // kubectl kustomize's order: the patch's elements first, then the target's others.
        .containsExactly(Map.of("name", "B", "value", "20"), Map.of("name", "C", "value", "3"),
            Map.of("name", "A", "value", "1"));
    assertThat(Yaml.at(app, "spec", "template", "spec", "containers", 1, "image")).isEqualTo("side:1");
  }

  @Test
  void json6902PatchesApplyToEveryTargetMatchingKindAndLabels() throws IOException {
    base();
    write("overlay/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../base
        patches:
          - target:
              kind: Deployment
              labelSelector: tier in (back,front)
            patch: |-
              - op: replace
                path: /spec/template/spec/containers/0/image
                value: app:2
              - op: add
                path: /spec/template/spec/containers/0/env/-
                value:
                  name: D
                  value: "4"
        """);
    Map<String, Object> app = only(Kustomize.build(dir.resolve("overlay")), "Deployment");
    assertThat(Yaml.at(app, "spec", "template", "spec", "containers", 0, "image")).isEqualTo("app:2");
    assertThat(Yaml.list(Yaml.at(app, "spec", "template", "spec", "containers", 0, "env"))).hasSize(3);
  }

  @Test
  void aComponentAddsResourcesAndCanDeleteOne() throws IOException {
    base();
    write("base/extra.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: extra
        """);
    write("base/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - app.yaml
          - extra.yaml
        """);
    write("component/added.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: added
        """);
    write("component/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        resources:
          - added.yaml
        patches:
          - patch: |-
              $patch: delete
              apiVersion: v1
              kind: ConfigMap
              metadata:
                name: extra
        """);
    write("overlay/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../base
        components:
          - ../component
        """);
    assertThat(Kustomize.build(dir.resolve("overlay"))).extracting(Kustomize::name)
        .containsExactlyInAnyOrder("app", "added");
  }

  @Test
  void configMapGeneratorNeedsStableNamesAndFilesInsideTheRoot() throws IOException {
    write("gen/conf/a.txt", "hello");
    write("gen/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        generatorOptions:
          disableNameSuffixHash: true
        configMapGenerator:
          - name: cfg
            files:
              - conf/a.txt
            literals:
              - k=v
        """);
    assertThat(Yaml.at(only(Kustomize.build(dir.resolve("gen")), "ConfigMap"), "data"))
        .isEqualTo(Map.of("a.txt", "hello", "k", "v"));

    write("outside.txt", "secret");
    write("gen/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        generatorOptions:
          disableNameSuffixHash: true
        configMapGenerator:
          - name: cfg
            files:
              - ../outside.txt
        """);
    assertThatThrownBy(() -> Kustomize.build(dir.resolve("gen"))).hasMessageContaining("is not in or below");

    write("gen/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        configMapGenerator:
          - name: cfg
            files:
              - conf/a.txt
        """);
    assertThatThrownBy(() -> Kustomize.build(dir.resolve("gen"))).hasMessageContaining("disableNameSuffixHash");
  }

  @Test
  void anUnsupportedFieldFailsInsteadOfBeingIgnored() throws IOException {
    base();
    write("overlay/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../base
        replicas:
          - name: app
            count: 2
        """);
    assertThatThrownBy(() -> Kustomize.build(dir.resolve("overlay"))).hasMessageContaining("unsupported");
  }

  @Test
  void imagesRewriteContainersAndInitContainersOfTheMatchingRepositoryOnly() throws IOException {
    write("base/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - job.yaml
        """);
    write("base/job.yaml", """
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: j
        spec:
          template:
            spec:
              initContainers:
                - name: i
                  image: localhost/app:1
              containers:
                - name: a
                  image: localhost/app:1
                - name: b
                  image: localhost/app-tool:1
        """);
    write("overlay/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../base
        images:
          - name: localhost/app
            newName: ghcr.io/x/app
            newTag: "2"
        """);
    Map<String, Object> spec = Yaml.cast(Yaml.at(Kustomize.build(dir.resolve("overlay")).get(0), "spec", "template", "spec"));
    assertThat(Yaml.at(spec, "initContainers", 0, "image")).isEqualTo("ghcr.io/x/app:2");
    assertThat(Yaml.at(spec, "containers", 0, "image")).isEqualTo("ghcr.io/x/app:2");
    assertThat(Yaml.at(spec, "containers", 1, "image")).isEqualTo("localhost/app-tool:1");
  }

  @Test
  void aPatchForAMissingResourceFails() throws IOException {
    base();
    write("overlay/kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../base
        patches:
          - patch: |-
              apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: ap
              spec:
                replicas: 2
        """);
    assertThatThrownBy(() -> Kustomize.build(dir.resolve("overlay"))).hasMessageContaining("matches 0 resources");
  }

  @Test
  void theRepositoryOverlaysRenderTheWholeSystem() {
    for (String overlay : List.of(Deployments.LOCAL, Deployments.PROD)) {
      assertThat(Kustomize.build(Repo.manifests().resolve(overlay)))
          .extracting(d -> d.get("kind") + "/" + Kustomize.name(d))
          .contains("StatefulSet/kafka", "Job/kafka-topics", "Deployment/ingest-http", "Deployment/ingest-grpc",
              "StatefulSet/streams-app", "Deployment/sinks", "Deployment/web", "StatefulSet/redis",
              "StatefulSet/mongodb", "Deployment/grafana", "Ingress/quetzal", "ConfigMap/grafana-dashboards",
              "NetworkPolicy/default-deny-ingress");
    }
  }
}
