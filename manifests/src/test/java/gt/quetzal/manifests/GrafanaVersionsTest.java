package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The online path (preinstall at start) and the offline one (the plugin in the image) pin the same versions. */
class GrafanaVersionsTest {

  private static final Path DOCKERFILE = Repo.grafana().resolve("image/Dockerfile");

  private static String dockerfile() throws IOException {
    return Files.readString(DOCKERFILE);
  }

  private static Rendered online() {
    return Deployments.local();
  }

  private static Rendered offline() {
    return Deployments.withComponents(Deployments.LOCAL, Set.of(), "components/grafana-offline");
  }

  @Test
  void bothPathsNameTheVersionsTheDockerfilePins() throws IOException {
    GrafanaVersions.Pins pins = GrafanaVersions.fromDockerfile(dockerfile());
    assertThat(pins.grafana()).isEqualTo("12.4.0");
    assertThat(pins.plugin()).isEqualTo("2.2.0");
    assertThat(GrafanaVersions.check(pins, online())).isEmpty();
    assertThat(GrafanaVersions.check(pins, offline())).isEmpty();
    assertThat(GrafanaVersions.check(pins, Deployments.prod())).isEmpty();
  }

  @Test
  void theDocsBuildTheImageTheComponentRuns() throws IOException {
    String image = GrafanaVersions.fromDockerfile(dockerfile()).offlineImage();
    String command = "docker build -t " + image + " grafana/image";
    assertThat(Files.readString(Repo.root().resolve("docs/kubernetes.md"))).contains(command);
    assertThat(dockerfile()).contains(command);
  }

  @Test
  void aDockerfileOnAnotherGrafanaIsCaught() throws IOException {
    GrafanaVersions.Pins pins = GrafanaVersions.fromDockerfile(dockerfile().replace("GRAFANA_VERSION=12.4.0", "GRAFANA_VERSION=12.3.0"));
    assertThat(GrafanaVersions.check(pins, online()))
        .anySatisfy(p -> assertThat(p).contains("image grafana/grafana:12.4.0, but the pinned Grafana is grafana/grafana:12.3.0"));
    assertThat(GrafanaVersions.check(pins, offline()))
        .anySatisfy(p -> assertThat(p).contains("but grafana/image builds localhost/quetzal/grafana:12.3.0-redis-datasource-2.2.0"));
  }

  @Test
  void aMissingChecksumIsCaught() throws IOException {
    GrafanaVersions.Pins pins = GrafanaVersions.fromDockerfile(dockerfile().replaceAll("REDIS_DATASOURCE_SHA256=\\S+", "REDIS_DATASOURCE_SHA256=TODO"));
    assertThat(GrafanaVersions.check(pins, online())).anySatisfy(p -> assertThat(p).contains("a sha256"));
  }

  private static List<String> problemsAfter(Rendered base, Consumer<List<Map<String, Object>>> breakIt) throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    base.documents().forEach(d -> docs.add(Yaml.copy(d.raw())));
    breakIt.accept(docs);
    return GrafanaVersions.check(GrafanaVersions.fromDockerfile(dockerfile()), Rendered.of("broken", docs, Set.of()));
  }

  private static List<Object> grafanaEnv(List<Map<String, Object>> docs) {
    Map<String, Object> deployment = docs.stream()
        .filter(d -> "Deployment".equals(d.get("kind")) && "grafana".equals(Yaml.at(d, "metadata", "name"))).findFirst().orElseThrow();
    return Yaml.list(Yaml.at(deployment, "spec", "template", "spec", "containers", 0, "env"));
  }

  @Test
  void anUnpinnedPreinstallIsCaught() throws IOException {
    assertThat(problemsAfter(online(), docs -> grafanaEnv(docs).stream().map(Yaml::cast)
        .filter(e -> "GF_PLUGINS_PREINSTALL_SYNC".equals(e.get("name"))).forEach(e -> e.put("value", "redis-datasource"))))
        .anySatisfy(p -> assertThat(p).contains("GF_PLUGINS_PREINSTALL_SYNC=redis-datasource, must be redis-datasource@2.2.0"));
  }

  @Test
  void anOfflineImageThatStillDownloadsIsCaught() throws IOException {
    assertThat(problemsAfter(offline(), docs -> grafanaEnv(docs).add(
        new java.util.LinkedHashMap<>(Map.of("name", "GF_PLUGINS_PREINSTALL_SYNC", "value", "redis-datasource@2.2.0")))))
        .anySatisfy(p -> assertThat(p).contains("yet GF_PLUGINS_PREINSTALL_SYNC would download it at start"));
  }
}
