package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scoreboard, checked offline: the provisioning files, the panels the issue asks for, live
 * streaming at 1 s, and — most important — that every Redis key the dashboard reads is one that
 * {@link RedisKeys} (which the sinks write through) defines.
 */
class GrafanaTest {

  private static final Path DASHBOARD = Repo.grafana().resolve("dashboards/quetzal.json");

  private static Dashboard dashboard() {
    return Dashboard.parse(Yaml.read(DASHBOARD));
  }

  @Test
  void theDatasourceIsTheRedisPluginWithAFixedUid() {
    Map<String, Object> file = Yaml.documents(Repo.grafana().resolve("provisioning/datasources/redis.yaml")).get(0);
    assertThat(file.get("apiVersion")).isEqualTo(1);
    List<Object> datasources = Yaml.list(file.get("datasources"));
    assertThat(datasources).hasSize(1);
    Map<String, Object> ds = Yaml.cast(datasources.get(0));
    assertThat(ds).containsEntry("type", "redis-datasource").containsEntry("uid", "quetzal-redis");
    assertThat(Yaml.at(ds, "secureJsonData", "password")).as("the password comes from the environment")
        .isEqualTo("$REDIS_PASSWORD");
    assertThat(ds.get("url")).isEqualTo("redis://redis:6379");
    assertThat(ds.get("uid")).isEqualTo(ScoreboardCheck.DATASOURCE_UID);
  }

  @Test
  void theDashboardProviderIsAFileProvider() {
    Map<String, Object> file = Yaml.documents(Repo.grafana().resolve("provisioning/dashboards/quetzal.yaml")).get(0);
    Map<String, Object> provider = Yaml.cast(Yaml.list(file.get("providers")).get(0));
    assertThat(provider).containsEntry("type", "file");
    assertThat(Yaml.at(provider, "options", "path")).isEqualTo("/var/lib/grafana/dashboards/quetzal");
  }

  @Test
  void theScoreboardPassesItsChecks() {
    Dashboard d = dashboard();
    assertThat(d.queries()).as("the checks have queries to look at").hasSizeGreaterThanOrEqualTo(7);
    assertThat(ScoreboardCheck.check(d)).isEmpty();
  }

  @Test
  void everyGrafanaFileIsGeneratedIntoAConfigMap() throws IOException {
    Kustomization k = Kustomize.read(Repo.grafana());
    List<String> generated = k.configMapGenerator().stream().flatMap(g -> g.files().stream()).toList();
    List<String> files;
    try (Stream<Path> walk = Files.walk(Repo.grafana())) {
      files = walk.filter(Files::isRegularFile)
          .map(p -> Repo.grafana().relativize(p).toString())
          .filter(p -> !p.equals("kustomization.yaml"))
          // The panel check (node harness and its packages) and the image build are not Grafana's files.
          .filter(p -> !p.startsWith("test/") && !p.startsWith("image/"))
          .sorted().toList();
    }
    assertThat(generated).containsExactlyInAnyOrderElementsOf(files);
    Optional<String> rendered = Deployments.local().configMap("grafana-dashboards")
        .map(cm -> cm.getData().get("quetzal.json"));
    assertThat(rendered).contains(Yaml.read(DASHBOARD));
  }
}
