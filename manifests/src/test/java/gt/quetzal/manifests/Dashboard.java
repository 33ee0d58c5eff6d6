package gt.quetzal.manifests;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Grafana dashboard JSON, read for what the checks need: datasources, Redis queries, refresh. */
record Dashboard(JsonNode root) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One Redis query of the redis-datasource plugin: a panel target or a template variable. */
  record Query(String where, String command, String key, String field, JsonNode datasource, JsonNode raw) {}

  static Dashboard parse(String json) {
    try {
      return new Dashboard(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    collectPanels(root.path("panels"), panels);
    return panels;
  }

  private static void collectPanels(JsonNode list, List<JsonNode> out) {
    for (JsonNode panel : list) {
      out.add(panel);
      collectPanels(panel.path("panels"), out); // rows can nest panels
    }
  }

  /** Every Redis query: panel targets, and variable queries written as CLI commands ("hkeys key"). */
  List<Query> queries() {
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : panels()) {
      for (JsonNode target : panel.path("targets")) {
        String where = "panel " + panel.path("id").asText() + " \"" + panel.path("title").asText() + "\" target "
            + target.path("refId").asText();
        queries.add(new Query(where, target.path("command").asText(null), target.path("keyName").asText(null),
            target.path("field").asText(null), target.path("datasource"), target));
      }
    }
    for (JsonNode variable : root.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        String[] words = variable.path("query").asText("").trim().split("\\s+");
        queries.add(new Query("variable " + variable.path("name").asText(), words[0].toLowerCase(),
            words.length > 1 ? words[1] : null, words.length > 2 ? words[2] : null, variable.path("datasource"),
            variable));
      }
    }
    return queries;
  }

  /** Every datasource reference: panel level, target level and variables. */
  List<JsonNode> datasourceRefs() {
    List<JsonNode> refs = new ArrayList<>();
    for (JsonNode panel : panels()) {
      if (panel.has("datasource")) {
        refs.add(panel.path("datasource"));
      }
      for (JsonNode target : panel.path("targets")) {
        if (target.has("datasource")) {
          refs.add(target.path("datasource"));
        }
      }
    }
    for (JsonNode variable : root.path("templating").path("list")) {
      if (variable.has("datasource")) {
        refs.add(variable.path("datasource"));
      }
    }
    return refs;
  }

  /** The auto-refresh interval; empty when the dashboard does not auto-refresh. */
  Optional<Duration> refresh() {
    String text = root.path("refresh").asText("");
    return text.isEmpty() ? Optional.empty() : Optional.of(interval(text));
  }

  /** Grafana's interval notation: 1s, 500ms, 5m, 1h. */
  static Duration interval(String text) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not an interval: " + text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
