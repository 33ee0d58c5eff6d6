package gt.quetzal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.contract.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * Sends each Redis query of a dashboard the way redis-datasource 2.2.0 sends it and keeps the raw
 * replies (RESP2 shapes: flat arrays, bulk strings, nil) for grafana/test/check-panels.js.
 */
final class RedisAnswers {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private RedisAnswers() {}

  /** {timeRange, redisKeys, answers: [{command, key, field, start, end, count, reply}]}. */
  static ObjectNode record(UnifiedJedis redis, JsonNode dashboard, long now, Collection<String> redisKeys) {
    ObjectNode file = JSON.objectNode();
    // The range a panel without explicit start/end sends: the dashboard's time (e.g. now-1h .. now).
    long from = now - ago(dashboard.path("time").path("from").asText("now-1h"));
    long to = now - ago(dashboard.path("time").path("to").asText("now"));
    file.putObject("timeRange").put("from", from).put("to", to);
    ArrayNode keys = file.putArray("redisKeys");
    redisKeys.forEach(keys::add);
    ArrayNode answers = file.putArray("answers");
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        ObjectNode answer = answers.addObject();
        String command = target.path("command").asText();
        String key = target.path("keyName").asText();
        String field = target.path("field").asText("");
        String start = target.path("start").asText("");
        String end = target.path("end").asText("");
        String count = target.path("count").asText("");
        answer.put("command", command).put("key", key).put("field", command.startsWith("hget") || command.equals("hmget") ? field : "")
            .put("start", start).put("end", end).put("count", count);
        answer.set("reply", json(ask(redis, command, key, field, start.isEmpty() ? from + "-0" : start,
            end.isEmpty() ? to + "-0" : end, count)));
      }
    }
    return file;
  }

  private static Object ask(UnifiedJedis redis, String command, String key, String field, String start, String end, String count) {
    List<String> args = new ArrayList<>(List.of(key));
    Protocol.Command cmd;
    switch (command) {
      case "hgetall" -> cmd = Protocol.Command.HGETALL;
      case "hget" -> {
        cmd = Protocol.Command.HGET;
        args.add(field);
      }
      case "xrange" -> {
        cmd = Protocol.Command.XRANGE;
        args.addAll(List.of(start, end));
      }
      case "xrevrange" -> { // the plugin passes end first, as XREVRANGE wants
        cmd = Protocol.Command.XREVRANGE;
        args.addAll(List.of(end, start));
      }
      default -> throw new IllegalArgumentException("no recorder for " + command);
    }
    if (!count.isEmpty() && Integer.parseInt(count) > 0 && command.startsWith("x")) {
      args.addAll(List.of("COUNT", count));
    }
    return redis.sendCommand(cmd, args.toArray(String[]::new));
  }

  /** A RESP reply as JSON: bulk strings as text, arrays as arrays, nil as null. */
  private static JsonNode json(Object reply) {
    if (reply == null) {
      return JSON.nullNode();
    }
    if (reply instanceof byte[] bytes) {
      return JSON.textNode(new String(bytes, StandardCharsets.UTF_8));
    }
    if (reply instanceof List<?> list) {
      ArrayNode array = JSON.arrayNode();
      list.forEach(item -> array.add(json(item)));
      return array;
    }
    return JSON.textNode(String.valueOf(reply));
  }

  private static long ago(String grafanaTime) {
    if (grafanaTime.equals("now")) {
      return 0;
    }
    Matcher m = Pattern.compile("now-(\\d+)([smhd])").matcher(grafanaTime);
    if (!m.matches()) {
      throw new IllegalArgumentException("unsupported dashboard time " + grafanaTime);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n).toMillis();
      case "m" -> Duration.ofMinutes(n).toMillis();
      case "h" -> Duration.ofHours(n).toMillis();
      default -> Duration.ofDays(n).toMillis();
    };
  }

  /** Each band's per-minute hash: band → (minute start in ms, as text → votes). */
  static Map<String, Map<String, Long>> minutesPerBand(UnifiedJedis redis, Collection<String> bands) {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    for (String band : bands) {
      Map<String, Long> minutes = new TreeMap<>();
      redis.hgetAll(RedisKeys.bandMinutes(band)).forEach((minute, n) -> minutes.put(minute, Long.parseLong(n)));
      out.put(band, minutes);
    }
    return out;
  }

  /** Every vote the timeline stream holds, summed over entries and bands. */
  static long streamTotal(UnifiedJedis redis) {
    long total = 0;
    for (Object entry : (List<?>) redis.sendCommand(Protocol.Command.XRANGE, RedisKeys.TIMELINE_STREAM, "-", "+")) {
      List<?> pairs = (List<?>) ((List<?>) entry).get(1);
      for (int i = 1; i < pairs.size(); i += 2) {
        total += Long.parseLong(new String((byte[]) pairs.get(i), StandardCharsets.UTF_8));
      }
    }
    return total;
  }

  /** Votes in the second-newest minute that has any (the newest when there is only one), over all bands. */
  static long newestCompleteMinute(Map<String, Map<String, Long>> minutes) {
    TreeSet<Long> starts = new TreeSet<>();
    minutes.values().forEach(m -> m.keySet().forEach(s -> starts.add(Long.parseLong(s))));
    if (starts.isEmpty()) {
      return 0;
    }
    long minute = starts.size() > 1 ? starts.lower(starts.last()) : starts.last();
    return minutes.values().stream().mapToLong(m -> m.getOrDefault(Long.toString(minute), 0L)).sum();
  }
}
