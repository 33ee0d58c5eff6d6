package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.Devstack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The web app as WebMain wires it, on the devstack's real Redis. MongoDB is the devstack's in-process
 * stand-in (mongo-java-server), which speaks the wire protocol but ignores secondary indexes.
 */
class WebIT {

  private static Devstack stack;
  private static WebMain.Running web;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    stack = Devstack.startEphemeral();
    web =
        WebMain.start(
            WebConfig.fromEnv(
                Map.of("REDIS_URL", stack.redisUrl(), "MONGO_URI", stack.mongoUri(), "HTTP_PORT", "0")));
  }

  @AfterAll
  static void stop() {
    if (web != null) {
      web.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + web.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void standingsAreExactlyWhatRedisHolds() throws Exception {
    try (RedisClient redis = RedisClient.create(URI.create(stack.redisUrl()))) {
      Map<String, String> totals = new LinkedHashMap<>();
      totals.put("Alux Nahual", "30");
      totals.put("Malacates Trébol Shop", "50");
      totals.put("<b>Bohemia</b> Suburbana", "20");
      redis.hset(RedisKeys.BAND_TOTALS, totals);
      redis.hset(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT, "1767225600000");
    }

    HttpResponse<String> response = get("/api/standings");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(response.body())
        .isEqualTo(
            "{\"bands\":["
                + "{\"name\":\"Malacates Trébol Shop\",\"total\":50,\"share\":0.5},"
                + "{\"name\":\"Alux Nahual\",\"total\":30,\"share\":0.3},"
                + "{\"name\":\"<b>Bohemia</b> Suburbana\",\"total\":20,\"share\":0.2}"
                + "],\"total\":100,\"updatedAt\":1767225600000}");
  }

  @Test
  void votesComeBackNewestFirstFromMongo() throws Exception {
    try (MongoClient mongo = MongoClients.create(stack.mongoUri())) {
      var votes = mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES);
      for (int i = 1; i <= 25; i++) {
        votes.insertOne(
            new Document("_id", String.format("v%02d", i))
                .append("name", "Malacates Trébol Shop")
                .append("album", "Niño Dios")
                .append("year", 2004)
                .append("rank", i)
                .append("channel", "http")
                .append("receivedAt", new Date(1_767_225_600_000L + i * 1_000L)));
      }
    }

    HttpResponse<String> response = get("/api/votes?limit=3");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "{\"votes\":["
                + "{\"voteId\":\"v25\",\"name\":\"Malacates Trébol Shop\",\"album\":\"Niño Dios\",\"year\":2004,\"rank\":25,\"channel\":\"http\",\"receivedAt\":1767225625000},"
                + "{\"voteId\":\"v24\",\"name\":\"Malacates Trébol Shop\",\"album\":\"Niño Dios\",\"year\":2004,\"rank\":24,\"channel\":\"http\",\"receivedAt\":1767225624000},"
                + "{\"voteId\":\"v23\",\"name\":\"Malacates Trébol Shop\",\"album\":\"Niño Dios\",\"year\":2004,\"rank\":23,\"channel\":\"http\",\"receivedAt\":1767225623000}"
                + "]}");
    assertThat(get("/api/votes").body()).contains("\"voteId\":\"v06\"").doesNotContain("\"voteId\":\"v05\"");
  }

  @Test
  void thePageAndProbesAreServed() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<html lang=\"es\">");
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    assertThat(get("/healthz").body()).isEqualTo("ok");
    assertThat(get("/metrics").body()).contains("jvm_memory_used_bytes");
  }
}
