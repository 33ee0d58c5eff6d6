package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.RedisKeys;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scoreboard, checked offline: the provisioning files, the panels the issue asks for, live
 * streaming at 1 s, and — most important — that every Redis key the dashboard reads is one that
 * {@link RedisKeys} (which the sinks write through) defines.
 */
class GrafanaTest {

  /** Redis commands of the redis-datasource plugin that need no Redis module. */
  static final Set<String> CORE_COMMANDS =
      Set.of("get", "hget", "hgetall", "hkeys", "hlen", "hmget", "smembers", "scard", "type", "ttl", "xrange",
          "xrevrange", "xlen", "llen", "zrange", "info");

  private static final Path DASHBOARD = Repo.grafana().resolve("dashboards/quetzal.json");

  private static Dashboard dashboard() {
    return Dashboard.parse(Yaml.read(DASHBOARD));
  }

  /** Every public String constant of RedisKeys, by name. */
  static Map<String, String> redisKeyConstants() {
    Map<String, String> constants = new TreeMap<>();
    for (Field field : RedisKeys.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        try {
          constants.put(field.getName(), (String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return constants;
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
    // Every datasource reference in the dashboard uses that uid and type.
    for (JsonNode ref : dashboard().datasourceRefs()) {
      assertThat(ref.path("uid").asText()).isEqualTo("quetzal-redis");
      assertThat(ref.path("type").asText()).isEqualTo("redis-datasource");
    }
  }

  @Test
  void theDashboardProviderIsAFileProvider() {
    Map<String, Object> file = Yaml.documents(Repo.grafana().resolve("provisioning/dashboards/quetzal.yaml")).get(0);
    Map<String, Object> provider = Yaml.cast(Yaml.list(file.get("providers")).get(0));
    assertThat(provider).containsEntry("type", "file");
    assertThat(Yaml.at(provider, "options", "path")).isEqualTo("/var/lib/grafana/dashboards/quetzal");
  }

  @Test
  void theScoreboardHasThePanelsTheContestNeeds() {
    List<JsonNode> panels = dashboard().panels();
    assertThat(panels).extracting(p -> p.path("type").asText())
        .contains("bargauge", "piechart", "timeseries")
        .filteredOn("stat"::equals).hasSizeGreaterThanOrEqualTo(3);
    JsonNode bands = target(panels, "bargauge");
    assertThat(bands.path("command").asText()).isEqualTo("hgetall");
    assertThat(bands.path("keyName").asText()).isEqualTo(RedisKeys.BAND_TOTALS);
    assertThat(target(panels, "piechart").path("keyName").asText()).isEqualTo(RedisKeys.ALBUM_TOTALS);
    List<String> statFields = panels.stream().filter(p -> p.path("type").asText().equals("stat"))
        .map(p -> p.path("targets").get(0))
        .filter(t -> t.path("keyName").asText().equals(RedisKeys.STATS))
        .map(t -> t.path("field").asText()).toList();
    assertThat(statFields).contains(RedisKeys.STAT_ACCEPTED, RedisKeys.STAT_REJECTED, RedisKeys.STAT_DUPLICATES);
    assertThat(dashboard().root().path("uid").asText()).isEqualTo("quetzal-scoreboard");
  }

  private static JsonNode target(List<JsonNode> panels, String type) {
    return panels.stream().filter(p -> p.path("type").asText().equals(type)).findFirst().orElseThrow()
        .path("targets").get(0);
  }

  @Test
  void everyPanelStreamsEverySecondAndTheDashboardDoesNotRefresh() {
    // The plugin's streaming re-runs each query every second and replaces the frame (DataFrame mode; the
    // TimeSeries mode appends to a CircularDataFrame, see #312). A dashboard refresh on top would blank
    // the streaming panels each time (#313), so the dashboard does not auto-refresh; liveNow slides
    // the time axis instead.
    assertThat(dashboard().refresh()).isEmpty();
    assertThat(dashboard().root().path("liveNow").asBoolean()).isTrue();
    for (Dashboard.Query q : dashboard().queries()) {
      if (q.where().startsWith("variable")) {
        continue;
      }
      assertThat(q.raw().path("streaming").asBoolean()).as(q.where() + " streams").isTrue();
      assertThat(q.raw().path("streamingInterval").asInt()).as(q.where()).isEqualTo(1000);
      assertThat(q.raw().path("streamingDataType").asText()).as(q.where()).isEqualTo("DataFrame");
    }
  }

  @Test
  void theTimelineIsTheSinksPerMinuteStreamWhole() {
    JsonNode timeline = target(dashboard().panels(), "timeseries");
    assertThat(timeline.path("command").asText()).isEqualTo("xrange");
    assertThat(timeline.path("keyName").asText()).isEqualTo(RedisKeys.TIMELINE_STREAM);
    // Explicit bounds: streaming re-sends the time range the panel opened with, so an empty start/end
    // would freeze the window. The sinks cap the stream (TIMELINE_MAX_MINUTES), which bounds the read.
    assertThat(timeline.path("start").asText()).isEqualTo("-");
    assertThat(timeline.path("end").asText()).isEqualTo("+");
  }

  @Test
  void everyRedisKeyTheDashboardReadsIsAKeyTheSinksWrite() {
    Map<String, String> constants = redisKeyConstants();
    List<String> problems = new ArrayList<>();
    for (Dashboard.Query q : dashboard().queries()) {
      if (!CORE_COMMANDS.contains(q.command())) {
        problems.add(q.where() + ": " + q.command() + " is not a core Redis command of the plugin");
      }
      String key = q.key();
      if (key == null || key.isBlank()) {
        problems.add(q.where() + ": no key");
        continue;
      }
      int variable = key.indexOf('$');
      if (variable >= 0) {
        // A templated key ("prefix$band"): its fixed part must be a defined (or pending) prefix.
        String prefix = key.substring(0, variable);
        if (!constants.containsValue(prefix)) {
          problems.add(q.where() + ": key prefix " + prefix + " is not a RedisKeys constant");
        }
      } else if (!constants.containsValue(key)) {
        problems.add(q.where() + ": key " + key + " is not a RedisKeys constant " + constants.keySet());
      }
      if (q.field() != null && "hget".equals(q.command()) && !constants.containsValue(q.field())) {
        problems.add(q.where() + ": field " + q.field() + " of " + key + " is not a RedisKeys constant");
      }
    }
    assertThat(problems).isEmpty();
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
