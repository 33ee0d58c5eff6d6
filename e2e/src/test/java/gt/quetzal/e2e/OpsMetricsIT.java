package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.sinks.SinksConfig;
import gt.quetzal.streams.runtime.StreamsAppConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The operations dashboard reads only metrics the services really expose: every service is started
 * in process, votes (and a bad request) go through, each /metrics is scraped the way Prometheus
 * would scrape it, and every metric name in every PromQL expression of
 * {@code grafana/dashboards/quetzal-ops.json} must be among them. The names found are written to
 * {@code target/ops-metrics/exposed.json}.
 */
class OpsMetricsIT {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path OPS_DASHBOARD = REPO.resolve("grafana/dashboards/quetzal-ops.json");

  private static InProcessStack stack;
  private static final HttpClient http = HttpClient.newHttpClient();
  /** Service → metric names on its /metrics. */
  private static final Map<String, Set<String>> exposed = new TreeMap<>();
  /** Service → its /metrics text. */
  private static final Map<String, String> scrapes = new TreeMap<>();
  private static StreamsAppConfig streamsConfig;
  private static SinksConfig sinksConfig;

  @BeforeAll
  static void startEverythingAndScrape() throws Exception {
    // Port 0 everywhere: each service binds a port the system picks, and the test reads it back.
    stack = InProcessStack.builder()
        .streams()
        .sinks()
        .web("OPS_PORT", "0")
        .ingestHttp("OPS_PORT", "0")
        .ingestGrpc()
        .start();
    streamsConfig = stack.streamsConfig();
    sinksConfig = stack.sinksConfig();
    int streamsPort = stack.streams().httpPort();
    int ingestPort = stack.ingestHttp().httpPort();
    Map<String, Integer> metricsPorts = new TreeMap<>();
    metricsPorts.put("streams-app", streamsPort);
    metricsPorts.put("sinks", stack.sinks().httpPort());
    metricsPorts.put("web", stack.web().opsPort());
    metricsPorts.put("ingest-http", stack.ingestHttp().opsPort());
    metricsPorts.put("ingest-grpc", stack.ingestGrpc().httpPort());

    // Traffic, so that meters registered on first use exist: accepted votes and one malformed request.
    for (int i = 0; i < 20; i++) {
      assertThat(post(ingestPort, "{\"name\":\"Alux Nahual\",\"album\":\"Centuria\",\"year\":\"1985\",\"rank\":\"7\"}"))
          .isEqualTo(202);
    }
    assertThat(post(ingestPort, "{not json")).isEqualTo(400);
    try (RedisClient redis = RedisClient.create(URI.create(stack.redisUrl()))) {
      await().atMost(Duration.ofSeconds(60))
          .until(() -> "20".equals(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")));
    }
    // The streams threads register their commit sensors once they have committed.
    await().atMost(Duration.ofSeconds(60))
        .until(() -> scrape(streamsPort).contains("commit_latency"));
    for (Map.Entry<String, Integer> e : metricsPorts.entrySet()) {
      scrapes.put(e.getKey(), scrape(e.getValue()));
      exposed.put(e.getKey(), names(scrapes.get(e.getKey())));
      Files.createDirectories(Path.of("target", "ops-metrics"));
      Files.writeString(Path.of("target", "ops-metrics", e.getKey() + ".prom"), scrapes.get(e.getKey()));
    }
    Path out = Path.of("target", "ops-metrics");
    Files.createDirectories(out);
    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out.resolve("exposed.json").toFile(), exposed);
  }

  @AfterAll
  static void stopEverything() {
    if (stack != null) {
      stack.close();
    }
  }

  /** Problems: each metric an expression reads that no service exposes. */
  static List<String> unknownMetrics(JsonNode dashboard, Map<String, Set<String>> exposed) {
    Set<String> all = new TreeSet<>();
    exposed.values().forEach(all::addAll);
    List<String> problems = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText("");
        if (expr.isBlank()) {
          problems.add("panel \"" + panel.path("title").asText() + "\" target " + target.path("refId").asText() + " has no expr");
        }
        for (String name : PromQl.metricNames(expr)) {
          if (!all.contains(name)) {
            problems.add("panel \"" + panel.path("title").asText() + "\": " + name + " is exposed by no service");
          }
        }
      }
    }
    return problems;
  }

  @Test
  void everyMetricTheOperationsDashboardReadsIsExposed() throws IOException {
    JsonNode dashboard = Json.MAPPER.readTree(OPS_DASHBOARD.toFile());
    assertThat(dashboard.path("panels")).isNotEmpty();
    assertThat(unknownMetrics(dashboard, exposed)).isEmpty();
  }

  @Test
  void aMisspelledMetricIsCaught() throws IOException {
    ObjectNode copy = (ObjectNode) Json.MAPPER.readTree(OPS_DASHBOARD.toFile());
    ObjectNode target = (ObjectNode) copy.path("panels").get(0).path("targets").get(0);
    target.put("expr", target.path("expr").asText().replace("quetzal_ingest_http_requests_seconds_count",
        "quetzal_ingest_http_request_seconds_count"));
    assertThat(unknownMetrics(copy, exposed))
        .anySatisfy(p -> assertThat(p).contains("quetzal_ingest_http_request_seconds_count is exposed by no service"));
  }

  @Test
  void theMetricsTheDashboardIsBuiltOnComeFromTheServicesThatShouldExposeThem() {
    // Guards against a name that only matched by accident on another service.
    assertThat(exposed.get("ingest-http")).contains("quetzal_ingest_http_requests_seconds_count");
    assertThat(exposed.get("sinks")).contains("quetzal_sink_last_write_seconds", "kafka_consumer_fetch_manager_records_lag_max");
    assertThat(exposed.get("streams-app")).contains("kafka_stream_thread_commit_latency_max");
  }

  /** The label values of one label on the samples of one metric. */
  private static Set<String> labelValues(String exposition, String metric, String label) {
    Set<String> values = new TreeSet<>();
    java.util.regex.Pattern p = java.util.regex.Pattern.compile(label + "=\"([^\"]*)\"");
    exposition.lines().filter(l -> l.startsWith(metric + "{")).forEach(l -> {
      java.util.regex.Matcher m = p.matcher(l);
      if (m.find()) {
        values.add(m.group(1));
      }
    });
    return values;
  }

  @Test
  void theLagPanelFindsEveryConsumerGroup() throws IOException {
    String lag = "kafka_consumer_fetch_manager_records_lag_max";
    assertThat(labelValues(scrapes.get("sinks"), lag, "group"))
        .contains(sinksConfig.redisGroupId(), sinksConfig.mongoGroupId());
    // The streams app's group is its application id: the dashboard cuts it out of the main consumers'
    // client ids with this regex (restore consumers do not match the filter).
    JsonNode dashboard = Json.MAPPER.readTree(OPS_DASHBOARD.toFile());
    String expr = "";
    for (JsonNode target : dashboard.path("panels").get(2).path("targets")) {
      if (target.path("expr").asText().contains("label_replace")) {
        expr = target.path("expr").asText();
      }
    }
    java.util.regex.Matcher quoted = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(expr);
    List<String> strings = new ArrayList<>();
    while (quoted.find()) {
      strings.add(quoted.group(1).replace("\\\\", "\\"));
    }
    // [app, client_id filter, target label, replacement, source label, regex]
    java.util.regex.Pattern filter = java.util.regex.Pattern.compile(strings.get(1));
    java.util.regex.Pattern extract = java.util.regex.Pattern.compile(strings.get(5));
    Set<String> groups = new TreeSet<>();
    for (String clientId : labelValues(scrapes.get("streams-app"), lag, "client_id")) {
      if (filter.matcher(clientId).matches()) {
        java.util.regex.Matcher m = extract.matcher(clientId);
        assertThat(m.matches()).as(clientId).isTrue();
        groups.add(m.group(1));
      }
    }
    assertThat(groups).containsExactly(streamsConfig.applicationId());
  }

  private static Set<String> names(String exposition) {
    Set<String> names = new TreeSet<>();
    exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
      int end = 0;
      while (end < l.length() && l.charAt(end) != '{' && l.charAt(end) != ' ') {
        end++;
      }
      names.add(l.substring(0, end));
    });
    return names;
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static int post(int port, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/votes"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
