package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.MongoStandIn;
import gt.quetzal.devstack.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Redis and MongoDB go away and come back while the app runs: the API answers 503 naming the store, the
 * live stream says so, and everything recovers without restarting the app (the subscription resubscribes
 * with its bounded backoff).
 */
class WebOutageIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration RECOVERY = Duration.ofSeconds(20);

  private static int status(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static String body(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void storesThatDropAndReturnAreReportedAndRecoveredFrom() throws Exception {
    Path dir = Files.createTempDirectory("quetzal-web-outage");
    RedisServer redisServer = RedisServer.start(0, dir, false);
    int redisPort = redisServer.port();
    MongoStandIn mongoServer = MongoStandIn.startInMemory(0);
    int mongoPort = mongoServer.port();
    WebMain.Running web = null;
    try {
      web =
          WebMain.start(
              WebConfig.fromEnv(
                  Map.of("REDIS_URL", redisServer.url(), "MONGO_URI", mongoServer.uri(), "HTTP_PORT", "0")));
      int port = web.httpPort();
      try (SseRecorder page = new SseRecorder("http://localhost:" + port + "/api/events")) {
        page.await(RECOVERY, e -> e.name().equals(LiveHub.SNAPSHOT));

        // Redis dies: the stream says so, and the API names the store.
        redisServer.halt();
        SseRecorder.Event problem = page.await(RECOVERY, e -> e.name().equals(LiveHub.PROBLEM));
        assertThat(Json.MAPPER.readTree(problem.data()).get("backend").asText()).isEqualTo("redis");
        assertThat(status(port, "/api/standings")).isEqualTo(503);
        assertThat(body(port, "/api/standings")).contains("\"backend\":\"redis\"");
        assertThat(status(port, "/readyz")).isEqualTo(503);
        int eventsDuringOutage = page.events().size();

        // Redis returns on the same port: the subscription comes back by itself and pushes a snapshot.
        redisServer = RedisServer.start(redisPort, dir, false);
        try (RedisClient redis = RedisClient.create(URI.create(redisServer.url()))) {
          await().atMost(RECOVERY).until(
              () -> page.events().stream().skip(eventsDuringOutage).anyMatch(e -> e.name().equals(LiveHub.SNAPSHOT)));
          // And it is live again: a new note is pushed.
          redis.hset(RedisKeys.BAND_TOTALS, "Alux Nahual", "99");
          redis.publish(RedisKeys.CHANGES_CHANNEL, "{\"kind\":\"bands\"}");
          page.await(RECOVERY, e -> e.name().equals(LiveHub.SNAPSHOT) && e.data().contains("\"total\":99"));
        }
        assertThat(status(port, "/api/standings")).isEqualTo(200);
      }

      // MongoDB dies and returns: 503 naming it, then 200 with the same client.
      assertThat(status(port, "/api/votes")).isEqualTo(200);
      mongoServer.close();
      assertThat(status(port, "/api/votes")).isEqualTo(503);
      assertThat(body(port, "/api/votes")).contains("\"backend\":\"mongo\"");
      mongoServer = MongoStandIn.startInMemory(mongoPort);
      await().atMost(RECOVERY).until(() -> status(port, "/api/votes") == 200);
      await().atMost(RECOVERY).until(() -> status(port, "/readyz") == 200);
    } finally {
      if (web != null) {
        web.close();
      }
      mongoServer.close();
      redisServer.close();
    }
  }
}
