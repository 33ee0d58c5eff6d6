package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.load.VoteSampler;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The Grafana scoreboard against a real pipeline run: votes (some retried, some for an album the
 * catalog lacks) go through ingest, the streams app and the sinks into Redis; then every Redis query
 * of {@code grafana/dashboards/quetzal.json} is sent to that Redis as redis-datasource would send it,
 * and the raw answers, with the totals this test counted itself, go to
 * {@code target/grafana-panels/answers.json}. {@code grafana/test/check-panels.js} turns the answers
 * into the plugin's frames and runs each panel through Grafana's @grafana/data; it must pass on the
 * dashboard and fail, naming the problem, on each deliberately broken copy.
 */
class GrafanaPanelsIT {

  private static final int VOTES = 1_200; // above 1 000, where an abbreviating unit shows "1 K"
  private static final int RETRIED = 20;
  private static final int UNKNOWN_ALBUM = 15;
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path DASHBOARD = REPO.resolve("grafana/dashboards/quetzal.json");
  private static final Path HARNESS = REPO.resolve("grafana/test");
  private static final Path OUT = Path.of("target", "grafana-panels").toAbsolutePath();

  private static InProcessStack stack;
  private static RedisClient redis; // the stack's
  private static int ingestPort;
  private static final HttpClient http = HttpClient.newHttpClient();

  private static final Map<String, Long> bands = new TreeMap<>();
  private static final Map<String, Long> albums = new TreeMap<>();
  private static Path answers;

  @BeforeAll
  static void runThePipelineAndRecordTheAnswers() throws Exception {
    Path catalogFile = REPO.resolve("config/catalog.json");
    stack = InProcessStack.builder().contest(Catalog.load(catalogFile)).streams().sinks().ingestHttp().start();
    ingestPort = stack.ingestHttp().httpPort(); // port 0: the system picks, the test reads it back
    redis = stack.redis();

    sendVotes(Catalog.load(catalogFile));
    Map<String, String> stats = Map.of(RedisKeys.STAT_ACCEPTED, Long.toString(VOTES),
        RedisKeys.STAT_REJECTED, Long.toString(UNKNOWN_ALBUM), RedisKeys.STAT_DUPLICATES, Long.toString(RETRIED));
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(redis.hgetAll(RedisKeys.BAND_TOTALS)).isEqualTo(strings(bands));
      assertThat(redis.hgetAll(RedisKeys.ALBUM_TOTALS)).isEqualTo(strings(albums));
      assertThat(redis.hgetAll(RedisKeys.STATS)).containsAllEntriesOf(stats);
      assertThat(sum(RedisAnswers.minutesPerBand(redis, bands.keySet()))).isEqualTo(VOTES);
      assertThat(RedisAnswers.streamTotal(redis)).isEqualTo(VOTES);
    });

    long now = System.currentTimeMillis();
    JsonNode dashboard = Json.MAPPER.readTree(DASHBOARD.toFile());
    ObjectNode file = RedisAnswers.record(redis, dashboard, now, redisKeyNames());
    ObjectNode expected = file.putObject("expected");
    ObjectNode expectedStats = expected.putObject("stats");
    expectedStats.put("accepted", VOTES).put("rejected", UNKNOWN_ALBUM).put("duplicates", RETRIED);
    expected.set("bands", Json.MAPPER.valueToTree(bands));
    expected.set("albums", Json.MAPPER.valueToTree(albums));
    // The timeline and the rate from the per-band hashes: a different key than the stream the panels read.
    Map<String, Map<String, Long>> minutes = RedisAnswers.minutesPerBand(redis, bands.keySet());
    expected.set("minutes", Json.MAPPER.valueToTree(minutes)); // the timeline reads the whole stream (- +)
    expected.put("votesPerSecond", RedisAnswers.newestCompleteMinute(minutes) / 60.0);
    Files.createDirectories(OUT);
    answers = OUT.resolve("answers.json");
    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(answers.toFile(), file);
  }

  @AfterAll
  static void stopEverything() {
    if (stack != null) {
      stack.close();
    }
  }

  /**
   * VOTES accepted votes; RETRIED of them sent twice with the same key; UNKNOWN_ALBUM refused by the
   * streams app's catalog check (ingest refuses them at the door, so they are written to votes.raw
   * directly, as votes taken under an earlier catalog would arrive).
   */
  private static void sendVotes(Catalog catalog) {
    VoteSampler sampler = new VoteSampler(catalog, 1.0, new Random(14));
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    List<Map<String, String>> votes = new ArrayList<>();
    for (int i = 0; i < VOTES; i++) {
      Map<String, String> vote = sampler.next();
      votes.add(vote);
      bands.merge(vote.get("name"), 1L, Long::sum);
      albums.merge(new AlbumKey(vote.get("name"), vote.get("album")).label(), 1L, Long::sum);
      sent.add(post(vote, "grafana-panels-vote-" + i));
      if (sent.size() == 100) { // bounded in flight
        sent.forEach(r -> assertThat(r.join().statusCode()).isEqualTo(202));
        sent.clear();
      }
    }
    sent.forEach(r -> assertThat(r.join().statusCode()).isEqualTo(202));
    for (int i = 0; i < RETRIED; i++) {
      assertThat(post(votes.get(i), "grafana-panels-vote-" + i).join().statusCode()).as("a retry is accepted by ingest").isEqualTo(202);
    }
    Map<String, String> unknown = new HashMap<>(votes.get(0));
    unknown.put("album", "Un álbum que no existe");
    assertThat(post(unknown, "grafana-unknown-door").join().statusCode()).as("refused at the door").isEqualTo(400);
    var topic = gt.quetzal.contract.Topics.VOTES_RAW;
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
        Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()),
        topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      for (int i = 0; i < UNKNOWN_ALBUM; i++) {
        String voteId = "grafana-unknown-vote-" + i;
        gt.quetzal.contract.VoteEvent vote = new gt.quetzal.contract.VoteEvent(voteId, unknown.get("name"),
            unknown.get("album"), Integer.parseInt(unknown.get("year")), 50, null, "http", System.currentTimeMillis());
        try {
          producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic.name(), voteId, vote)).get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("could not write " + voteId, e);
        }
      }
    }
  }

  private void assertHarness(Path dashboard, int exitCode, Consumer<String> output) throws Exception {
    Process node = new ProcessBuilder("node", "check-panels.js", dashboard.toString(), answers.toString())
        .directory(HARNESS.toFile()).redirectErrorStream(true).start();
    String text = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(text).isEqualTo(exitCode);
    output.accept(text);
  }

  @Test
  void everyPanelShowsWhatRedisHoldsThroughGrafanasOwnCode() throws Exception {
    assertHarness(DASHBOARD, 0, text -> assertThat(text.lines().filter(l -> l.startsWith("ok "))).hasSize(7));
  }

  /** A copy of the dashboard with one thing broken, the way a careless edit (or the 1.x plugin's shape) would. */
  private static Path broken(String name, Consumer<ObjectNode> breakIt) throws IOException {
    ObjectNode copy = (ObjectNode) Json.MAPPER.readTree(DASHBOARD.toFile());
    breakIt.accept(copy);
    Path file = OUT.resolve("broken-" + name + ".json");
    Json.MAPPER.writeValue(file.toFile(), copy);
    return file;
  }

  private static ObjectNode panel(ObjectNode dashboard, int id) {
    for (JsonNode p : dashboard.path("panels")) {
      if (p.path("id").asInt() == id) {
        return (ObjectNode) p;
      }
    }
    throw new AssertionError("no panel " + id);
  }

  private static ObjectNode target(ObjectNode dashboard, int id) {
    return (ObjectNode) panel(dashboard, id).path("targets").get(0);
  }

  @Test
  void aValueFilterFromThe1xPluginShowsNoBars() throws Exception {
    Path copy = broken("value-filter", d -> ((ObjectNode) panel(d, 5).path("options").path("reduceOptions"))
        .put("fields", "/^Value$/"));
    assertHarness(copy, 1, text -> assertThat(text).contains("FAIL panel 5 \"Votos por banda\": no bar/slice for any"));
  }

  @Test
  void keepingOnlyThe1xFieldAndValueColumnsShowsNoSlices() throws Exception {
    Path copy = broken("field-name", d -> panel(d, 6).putArray("transformations").addObject()
        .put("id", "filterFieldsByName").putObject("options").putObject("include").putArray("names").add("Field").add("Value"));
    assertHarness(copy, 1, text -> assertThat(text).contains("FAIL panel 6 \"Votos por álbum\": no bar/slice for any"));
  }

  @Test
  void barsSortedTheWrongWayAreCaught() throws Exception {
    // (Without the sortBy the bars keep the hash's first-vote order, which only happens to be sorted.)
    Path copy = broken("unsorted", d -> ((ObjectNode) panel(d, 5).path("transformations").get(1).path("options")
        .path("sort").get(0)).put("desc", false));
    assertHarness(copy, 1, text -> assertThat(text).contains("FAIL panel 5 \"Votos por banda\": bars are not sorted by total"));
  }

  @Test
  void aKeyThatRedisKeysDoesNotDefineIsCaught() throws Exception {
    Path copy = broken("key-name", d -> target(d, 6).put("keyName", "quetzal:tally:album"));
    assertHarness(copy, 1, text -> assertThat(text)
        .contains("FAIL panel 6 \"Votos por álbum\": key quetzal:tally:album is not a RedisKeys constant"));
  }

  @Test
  void aStatOnAFieldTheSinksNeverWriteIsCaught() throws Exception {
    Path copy = broken("stat-field", d -> target(d, 3).put("field", "duplicated"));
    assertHarness(copy, 1, text -> assertThat(text).contains("FAIL panel 3 \"Duplicados\": no recorded Redis answer"));
  }

  @Test
  void timeSeriesStreamingOnTheBarGaugeIsCaught() throws Exception {
    Path copy = broken("streaming", d -> target(d, 5).put("streamingDataType", "TimeSeries"));
    assertHarness(copy, 1, text -> assertThat(text).contains("FAIL panel 5 \"Votos por banda\": target A must stream"));
  }

  @Test
  void anAbbreviatingUnitIsCaught() throws Exception {
    // "short" shows 1 200 accepted votes as "1 K": a count must read as the exact number.
    Path copy = broken("unit", d -> ((ArrayNode) d.path("panels")).forEach(p ->
        ((ObjectNode) p.path("fieldConfig").path("defaults")).put("unit", "short").put("decimals", 0)));
    assertHarness(copy, 1, text -> assertThat(text).contains("FAIL panel 1 \"Votos contados\": shows"));
  }

  private static List<String> redisKeyNames() throws IllegalAccessException {
    List<String> names = new ArrayList<>();
    for (Field field : RedisKeys.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        names.add((String) field.get(null));
      }
    }
    return names;
  }

  private static Map<String, String> strings(Map<String, Long> counts) {
    Map<String, String> out = new HashMap<>();
    counts.forEach((k, v) -> out.put(k, Long.toString(v)));
    return out;
  }

  private static long sum(Map<String, Map<String, Long>> perBand) {
    return perBand.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
  }

  private static CompletableFuture<HttpResponse<String>> post(Map<String, String> vote, String idempotencyKey) {
    try {
      return http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + ingestPort + "/votes"))
          .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
          .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(vote))).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
