package gt.quetzal.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.RedisKeys;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The scoreboard dashboard's rules, as a function of the dashboard so broken copies can be fed to it:
 * the provisioned datasource on every reference, the panels the contest needs, live streaming at 1 s
 * with no dashboard refresh, the whole timeline stream, and every Redis key (and hget field) one that
 * {@link RedisKeys}, which the sinks write through, defines. An empty list means the dashboard is right.
 */
final class ScoreboardCheck {

  /** Redis commands of the redis-datasource plugin that need no Redis module. */
  static final Set<String> CORE_COMMANDS =
      Set.of("get", "hget", "hgetall", "hkeys", "hlen", "hmget", "smembers", "scard", "type", "ttl", "xrange",
          "xrevrange", "xlen", "llen", "zrange", "info");
  static final String DATASOURCE_UID = "quetzal-redis";
  static final String DATASOURCE_TYPE = "redis-datasource";
  static final String UID = "quetzal-scoreboard";

  private ScoreboardCheck() {}

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

  static List<String> check(Dashboard d) {
    List<String> problems = new ArrayList<>();
    datasources(d, problems);
    panels(d, problems);
    streaming(d, problems);
    keys(d, problems);
    return problems;
  }

  private static void datasources(Dashboard d, List<String> problems) {
    for (JsonNode ref : d.datasourceRefs()) {
      if (!DATASOURCE_UID.equals(ref.path("uid").asText()) || !DATASOURCE_TYPE.equals(ref.path("type").asText())) {
        problems.add("a datasource reference is " + ref.path("type").asText() + "/" + ref.path("uid").asText()
            + ", not " + DATASOURCE_TYPE + "/" + DATASOURCE_UID);
      }
    }
  }

  private static void panels(Dashboard d, List<String> problems) {
    if (!UID.equals(d.root().path("uid").asText())) {
      problems.add("the dashboard uid is " + d.root().path("uid").asText() + ", not " + UID);
    }
    List<JsonNode> panels = d.panels();
    for (String type : List.of("bargauge", "piechart", "timeseries")) {
      if (target(panels, type).isEmpty()) {
        problems.add("no " + type + " panel");
      }
    }
    target(panels, "bargauge").ifPresent(t -> {
      if (!"hgetall".equals(t.path("command").asText()) || !RedisKeys.BAND_TOTALS.equals(t.path("keyName").asText())) {
        problems.add("the bargauge must hgetall " + RedisKeys.BAND_TOTALS + ", reads " + t.path("command").asText() + " "
            + t.path("keyName").asText());
      }
    });
    target(panels, "piechart").ifPresent(t -> {
      if (!RedisKeys.ALBUM_TOTALS.equals(t.path("keyName").asText())) {
        problems.add("the piechart must read " + RedisKeys.ALBUM_TOTALS + ", reads " + t.path("keyName").asText());
      }
    });
    target(panels, "timeseries").ifPresent(t -> {
      // Explicit bounds: streaming re-sends the time range the panel opened with, so an empty start/end
      // would freeze the window. The sinks cap the stream (TIMELINE_MAX_MINUTES), which bounds the read.
      if (!"xrange".equals(t.path("command").asText()) || !RedisKeys.TIMELINE_STREAM.equals(t.path("keyName").asText())
          || !"-".equals(t.path("start").asText()) || !"+".equals(t.path("end").asText())) {
        problems.add("the timeline must xrange " + RedisKeys.TIMELINE_STREAM + " from - to +");
      }
    });
    List<String> statFields = panels.stream().filter(p -> p.path("type").asText().equals("stat"))
        .map(p -> p.path("targets").path(0))
        .filter(t -> t.path("keyName").asText().equals(RedisKeys.STATS))
        .map(t -> t.path("field").asText()).toList();
    for (String field : List.of(RedisKeys.STAT_ACCEPTED, RedisKeys.STAT_REJECTED, RedisKeys.STAT_DUPLICATES)) {
      if (!statFields.contains(field)) {
        problems.add("no stat panel shows " + RedisKeys.STATS + " " + field);
      }
    }
  }

  private static Optional<JsonNode> target(List<JsonNode> panels, String type) {
    return panels.stream().filter(p -> p.path("type").asText().equals(type)).findFirst().map(p -> p.path("targets").path(0));
  }

  /**
   * The plugin's streaming re-runs each query every second and replaces the frame (DataFrame mode; the
   * TimeSeries mode appends to a CircularDataFrame, see #312). A dashboard refresh on top would blank
   * the streaming panels each time (#313), so the dashboard does not auto-refresh; liveNow slides the
   * time axis instead.
   */
  private static void streaming(Dashboard d, List<String> problems) {
    d.refresh().ifPresent(r -> problems.add("the dashboard refreshes every " + r + "; a refresh blanks streaming panels"));
    if (!d.root().path("liveNow").asBoolean()) {
      problems.add("liveNow is off, so the time axis does not slide");
    }
    for (Dashboard.Query q : d.queries()) {
      if (q.where().startsWith("variable")) {
        continue;
      }
      if (!q.raw().path("streaming").asBoolean() || q.raw().path("streamingInterval").asInt() != 1000
          || !"DataFrame".equals(q.raw().path("streamingDataType").asText())) {
        problems.add(q.where() + ": must stream every 1000 ms as DataFrame");
      }
    }
  }

  private static void keys(Dashboard d, List<String> problems) {
    Map<String, String> constants = redisKeyConstants();
    for (Dashboard.Query q : d.queries()) {
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
        // A templated key ("prefix$band"): its fixed part must be a defined prefix.
        String prefix = key.substring(0, variable);
        if (!constants.containsValue(prefix)) {
          problems.add(q.where() + ": key prefix " + prefix + " is not a RedisKeys constant");
        }
      } else if (!constants.containsValue(key)) {
        problems.add(q.where() + ": key " + key + " is not a RedisKeys constant");
      }
      if (q.field() != null && "hget".equals(q.command()) && !constants.containsValue(q.field())) {
        problems.add(q.where() + ": field " + q.field() + " of " + key + " is not a RedisKeys constant");
      }
    }
  }
}
