package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.Devstack;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The web app as WebMain wires it, on the devstack's real Redis (including the pub/sub subscription).
 * MongoDB is the devstack's in-process stand-in (mongo-java-server), which speaks the wire protocol but
 * ignores secondary indexes.
 */
class WebIT {

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  private static Devstack stack;
  private static WebMain.Running web;
  private static RedisClient redis;
  private static MongoClient mongo;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    stack = Devstack.startEphemeral();
    web =
        WebMain.start(
            WebConfig.fromEnv(
                Map.of("REDIS_URL", stack.redisUrl(), "MONGO_URI", stack.mongoUri(), "HTTP_PORT", "0")));
    redis = RedisClient.create(URI.create(stack.redisUrl()));
    mongo = MongoClients.create(stack.mongoUri());
  }

  @AfterAll
  static void stop() {
    if (web != null) {
      web.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (mongo != null) {
      mongo.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @BeforeEach
  void emptyStores() {
    redis.flushAll();
    MongoDatabase db = mongo.getDatabase(MongoNames.DATABASE);
    db.getCollection(MongoNames.VOTES).deleteMany(new Document());
    db.getCollection(MongoNames.REJECTED).deleteMany(new Document());
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + web.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).as(path + " → " + response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  void standingsAreExactlyWhatRedisHolds() throws Exception {
    Map<String, String> totals = new LinkedHashMap<>();
    totals.put("Alux Nahual", "30");
    totals.put("Malacates Trébol Shop", "50");
    totals.put("<b>Bohemia</b> Suburbana", "20");
    redis.hset(RedisKeys.BAND_TOTALS, totals);
    redis.hset(
        RedisKeys.ALBUM_STATS,
        "Alux Nahual — Hermanos",
        "{\"band\":\"Alux Nahual\",\"album\":\"Hermanos\",\"count\":30,\"rankSum\":2400,\"rankMin\":10,\"rankMax\":100,\"rankAverage\":80.0}");
    redis.hset(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT, "1767225600000");

    HttpResponse<String> response = get("/api/standings");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(response.body())
        .isEqualTo(
            "{\"bands\":["
                + "{\"name\":\"Malacates Trébol Shop\",\"total\":50,\"share\":0.5,\"albums\":[]},"
                + "{\"name\":\"Alux Nahual\",\"total\":30,\"share\":0.3,\"albums\":["
                + "{\"album\":\"Hermanos\",\"count\":30,\"rankAverage\":80.0,\"rankMin\":10,\"rankMax\":100}]},"
                + "{\"name\":\"<b>Bohemia</b> Suburbana\",\"total\":20,\"share\":0.2,\"albums\":[]}"
                + "],\"total\":100,\"updatedAt\":1767225600000}");
  }

  @Test
  void statsAlbumsAndTimelineReadTheSinksKeys() throws Exception {
    redis.hset(RedisKeys.BAND_TOTALS, Map.of("Alux Nahual", "7", "Viernes Verde", "3"));
    redis.hset(
        RedisKeys.STATS,
        Map.of("accepted", "10", "duplicates", "2", "rejected", "4", "rejected.late", "1", "rejected.unknown_band", "3",
            "updatedAt", "1767225600000"));
    redis.hset(
        RedisKeys.ALBUM_STATS,
        Map.of(
            "Alux Nahual — Hermanos",
            "{\"band\":\"Alux Nahual\",\"album\":\"Hermanos\",\"count\":2,\"rankSum\":150,\"rankMin\":70,\"rankMax\":80,\"rankAverage\":75.0}",
            "Alux Nahual — Alux Nahual",
            "{\"band\":\"Alux Nahual\",\"album\":\"Alux Nahual\",\"count\":5,\"rankSum\":400,\"rankMin\":60,\"rankMax\":100,\"rankAverage\":80.0}"));
    redis.hset(RedisKeys.bandMinutes("Alux Nahual"), Map.of(Long.toString(T0), "4", Long.toString(T0 + 60_000), "3"));
    redis.hset(RedisKeys.bandMinutes("Viernes Verde"), Map.of(Long.toString(T0 + 60_000), "3"));

    JsonNode stats = getJson("/api/stats");
    assertThat(stats.get("accepted").asLong()).isEqualTo(10);
    assertThat(stats.get("duplicates").asLong()).isEqualTo(2);
    assertThat(stats.get("rejected").asLong()).isEqualTo(4);
    assertThat(stats.get("rejectedByReason").toString()).isEqualTo("{\"late\":1,\"unknown_band\":3}");

    JsonNode albums = getJson("/api/albums?band=" + enc("Alux Nahual"));
    assertThat(albums.get("albums").findValuesAsText("album")).containsExactly("Alux Nahual", "Hermanos");

    String last = Long.toString(T0 + 60_000 + 59_999);
    JsonNode one = getJson("/api/timeline?minutes=3&to=" + last + "&band=" + enc("Alux Nahual"));
    assertThat(one.get("points").toString())
        .isEqualTo(
            "[{\"minute\":" + (T0 - 60_000) + ",\"count\":0},{\"minute\":" + T0 + ",\"count\":4},{\"minute\":"
                + (T0 + 60_000) + ",\"count\":3}]");
    JsonNode all = getJson("/api/timeline?minutes=2&to=" + last);
    assertThat(all.get("points").findValues("count").toString()).isEqualTo("[4, 6]");
  }

  private static Document vote(int i, String band, long receivedAt) {
    return new Document("_id", String.format("v%02d", i))
        .append("name", band)
        .append("album", "Niño Dios")
        .append("year", 2004)
        .append("rank", i)
        .append("channel", "http")
        .append("receivedAt", new Date(receivedAt));
  }

  @Test
  void votesComeBackNewestFirstFromMongoAndPageWithoutGapsOrRepeats() throws Exception {
    var votes = mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES);
    for (int i = 1; i <= 25; i++) {
      // Pairs share a timestamp: the _id breaks the tie, so paging must not split or repeat a pair.
      votes.insertOne(vote(i, i % 5 == 0 ? "Alux Nahual" : "Malacates Trébol Shop", T0 + (i / 2) * 1_000L));
    }

    HttpResponse<String> response = get("/api/votes?limit=3");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "{\"votes\":["
                + "{\"voteId\":\"v25\",\"name\":\"Alux Nahual\",\"album\":\"Niño Dios\",\"year\":2004,\"rank\":25,\"channel\":\"http\",\"receivedAt\":1767225612000},"
                + "{\"voteId\":\"v24\",\"name\":\"Malacates Trébol Shop\",\"album\":\"Niño Dios\",\"year\":2004,\"rank\":24,\"channel\":\"http\",\"receivedAt\":1767225612000},"
                + "{\"voteId\":\"v23\",\"name\":\"Malacates Trébol Shop\",\"album\":\"Niño Dios\",\"year\":2004,\"rank\":23,\"channel\":\"http\",\"receivedAt\":1767225611000}"
                + "],\"next\":\"1767225611000,v23\"}");

    // Walk every page of 4: all 25 exactly once, newest first.
    java.util.List<String> seen = new java.util.ArrayList<>();
    String next = null;
    do {
      JsonNode page = getJson("/api/votes?limit=4" + (next == null ? "" : "&before=" + enc(next)));
      seen.addAll(page.get("votes").findValuesAsText("voteId"));
      next = page.get("next").isNull() ? null : page.get("next").asText();
    } while (next != null);
    assertThat(seen).hasSize(25).doesNotHaveDuplicates();
    assertThat(seen.get(0)).isEqualTo("v25");
    assertThat(seen.get(24)).isEqualTo("v01");

    JsonNode alux = getJson("/api/votes?band=" + enc("Alux Nahual"));
    assertThat(alux.get("votes").findValuesAsText("voteId")).containsExactly("v25", "v20", "v15", "v10", "v05");

    JsonNode one = getJson("/api/votes/v07");
    assertThat(one.get("rank").asInt()).isEqualTo(7);
    HttpResponse<String> missing = get("/api/votes/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void rejectedVotesComeBackWithTheirReasons() throws Exception {
    var rejected = mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.REJECTED);
    for (int i = 1; i <= 5; i++) {
      Document doc =
          new Document("_id", "0-" + i)
              .append("reason", i % 2 == 0 ? "late" : "unknown_band")
              .append("detail", "name: \"<script>x</script>\" is not a band of the contest catalog")
              .append("raw", "{\"name\":\"<script>x</script>\"}")
              .append("rejectedAt", new Date(T0 + i * 1_000L));
      if (i != 3) {
        doc.append("voteId", "r" + i);
      }
      rejected.insertOne(doc);
    }

    JsonNode page = getJson("/api/rejected?limit=2");
    assertThat(page.get("rejected").findValuesAsText("id")).containsExactly("0-5", "0-4");
    assertThat(page.get("rejected").get(0).get("voteId").asText()).isEqualTo("r5");
    assertThat(page.get("rejected").get(0).get("raw").asText()).isEqualTo("{\"name\":\"<script>x</script>\"}");
    JsonNode older = getJson("/api/rejected?limit=2&before=" + enc(page.get("next").asText()));
    assertThat(older.get("rejected").findValuesAsText("id")).containsExactly("0-3", "0-2");
    assertThat(older.get("rejected").get(0).has("voteId")).isFalse();
    JsonNode late = getJson("/api/rejected?reason=late");
    assertThat(late.get("rejected").findValuesAsText("id")).containsExactly("0-4", "0-2");
  }

  @Test
  void aChangeNoteOnTheRealChannelIsPushedToTheOpenPage() throws Exception {
    redis.hset(RedisKeys.BAND_TOTALS, "Alux Nahual", "1");
    redis.publish(RedisKeys.CHANGES_CHANNEL, "{\"kind\":\"bands\",\"changed\":1,\"updatedAt\":1}");
    try (SseRecorder page = new SseRecorder("http://localhost:" + web.httpPort() + "/api/events")) {
      page.await(Duration.ofSeconds(10), e -> e.name().equals(LiveHub.SNAPSHOT) && e.data().contains("\"Alux Nahual\""));

      // What the sinks do after a batch: absolute values, then the note.
      redis.hset(RedisKeys.BAND_TOTALS, "Malacates Trébol Shop", "41");
      redis.publish(RedisKeys.CHANGES_CHANNEL, "{\"kind\":\"bands\",\"changed\":1,\"updatedAt\":2}");

      SseRecorder.Event pushed =
          page.await(
              Duration.ofSeconds(10),
              e -> e.name().equals(LiveHub.SNAPSHOT) && e.data().contains("{\"name\":\"Malacates Trébol Shop\",\"total\":41"));
      assertThat(Json.MAPPER.readTree(pushed.data()).get("standings").get("total").asLong()).isEqualTo(42);
    }
  }

  @Test
  void thePageAndProbesAreServed() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<html lang=\"es\">");
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    assertThat(get("/healthz").body()).isEqualTo("ok");
    String metrics = get("/metrics").body();
    assertThat(metrics).contains("jvm_memory_used_bytes").contains("quetzal_web_sse_clients");
  }
}
