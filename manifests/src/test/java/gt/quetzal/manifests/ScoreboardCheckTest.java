package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.contract.RedisKeys;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link ScoreboardCheck} fed broken copies of the real dashboard: each break, its exact problem. */
class ScoreboardCheckTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static java.util.List<String> problemsAfter(Consumer<ObjectNode> breakIt) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(Yaml.read(Repo.grafana().resolve("dashboards/quetzal.json")));
      breakIt.accept(root);
      return ScoreboardCheck.check(Dashboard.parse(JSON.writeValueAsString(root)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The first target of the panel with this title. */
  private static ObjectNode target(ObjectNode root, String title) {
    for (var panel : root.path("panels")) {
      if (panel.path("title").asText().equals(title)) {
        return (ObjectNode) panel.path("targets").get(0);
      }
    }
    throw new AssertionError("no panel " + title);
  }

  private static String where(ObjectNode root, String title) {
    for (var panel : root.path("panels")) {
      if (panel.path("title").asText().equals(title)) {
        return "panel " + panel.path("id").asText() + " \"" + title + "\" target " + panel.path("targets").get(0).path("refId").asText();
      }
    }
    throw new AssertionError("no panel " + title);
  }

  @Test
  void theUnbrokenCopyPasses() {
    assertThat(problemsAfter(root -> {})).isEmpty();
  }

  @Test
  void aKeyThatIsNotInRedisKeysIsCaught() {
    String[] where = new String[1];
    assertThat(problemsAfter(root -> {
      target(root, "Votos por álbum").put("keyName", "quetzal:tally:album");
      where[0] = where(root, "Votos por álbum");
    })).containsExactly(
        "the piechart must read " + RedisKeys.ALBUM_TOTALS + ", reads quetzal:tally:album",
        where[0] + ": key quetzal:tally:album is not a RedisKeys constant");
  }

  @Test
  void anHgetFieldThatIsNotInRedisKeysIsCaught() {
    String[] where = new String[1];
    assertThat(problemsAfter(root -> {
      target(root, "Rechazados").put("field", "rejects");
      where[0] = where(root, "Rechazados");
    })).containsExactly(
        "no stat panel shows " + RedisKeys.STATS + " " + RedisKeys.STAT_REJECTED,
        where[0] + ": field rejects of " + RedisKeys.STATS + " is not a RedisKeys constant");
  }

  @Test
  void aModuleCommandIsCaught() {
    String[] where = new String[1];
    assertThat(problemsAfter(root -> {
      target(root, "Votos por minuto").put("command", "ts.range");
      where[0] = where(root, "Votos por minuto");
    })).containsExactly(
        "the timeline must xrange " + RedisKeys.TIMELINE_STREAM + " from - to +",
        where[0] + ": ts.range is not a core Redis command of the plugin");
  }

  @Test
  void anotherDatasourceIsCaught() {
    assertThat(problemsAfter(root -> ((ObjectNode) target(root, "Duplicados").path("datasource")).put("uid", "other")))
        .containsExactly("a datasource reference is redis-datasource/other, not redis-datasource/quetzal-redis");
  }

  @Test
  void aRefreshAndAQueryThatDoesNotStreamAreCaught() {
    String[] where = new String[1];
    assertThat(problemsAfter(root -> {
      root.put("refresh", "5s");
      root.put("liveNow", false);
      target(root, "Votos por banda").put("streamingInterval", 5000);
      where[0] = where(root, "Votos por banda");
    })).containsExactly(
        "the dashboard refreshes every PT5S; a refresh blanks streaming panels",
        "liveNow is off, so the time axis does not slide",
        where[0] + ": must stream every 1000 ms as DataFrame");
  }

  @Test
  void aMissingPanelAndAnOpenTimelineAreCaught() {
    assertThat(problemsAfter(root -> {
      ArrayNode panels = (ArrayNode) root.path("panels");
      for (int i = panels.size() - 1; i >= 0; i--) {
        if (panels.get(i).path("type").asText().equals("bargauge")) {
          panels.remove(i);
        }
      }
      target(root, "Votos por minuto").put("start", "");
      root.put("uid", "scoreboard");
    })).containsExactly(
        "the dashboard uid is scoreboard, not quetzal-scoreboard",
        "no bargauge panel",
        "the timeline must xrange " + RedisKeys.TIMELINE_STREAM + " from - to +");
  }
}
