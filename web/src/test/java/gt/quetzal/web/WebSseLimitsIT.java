package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.Devstack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Issue 17, item 2, as WebMain wires it from the environment, on the devstack's real Redis and its
 * change channel: never-reading sockets are cut off, a reading page gets every update, and the
 * per-address cap answers 429.
 */
class WebSseLimitsIT {

  private static final int STALLED = 10;
  private static final int UPDATES = 20;
  private static final String MARKER = "Marcador";

  private static Devstack stack;
  private static WebMain.Running web;
  private static RedisClient redis;

  @BeforeAll
  static void start() {
    stack = Devstack.startEphemeral();
    web =
        WebMain.start(
            WebConfig.fromEnv(
                Map.of(
                    "REDIS_URL", stack.redisUrl(), "MONGO_URI", stack.mongoUri(), "HTTP_PORT", "0",
                    // the reading page and the stalled sockets, all from 127.0.0.1 (not ::1: the page asks 127.0.0.1)
                    "SSE_MAX_PER_ADDRESS", Integer.toString(STALLED + 1),
                    "SSE_WRITE_TIMEOUT_MS", "500")));
    redis = RedisClient.create(URI.create(stack.redisUrl()));
  }

  @AfterAll
  static void stop() {
    if (web != null) {
      web.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static long marker(SseRecorder.Event event) {
    try {
      for (JsonNode band : Json.MAPPER.readTree(event.data()).get("standings").get("bands")) {
        if (band.get("name").asText().equals(MARKER)) {
          return band.get("total").asLong();
        }
      }
      return -1;
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Long> markers(SseRecorder page) {
    List<Long> seen = new ArrayList<>();
    for (SseRecorder.Event event : page.events()) {
      long m = LiveHub.SNAPSHOT.equals(event.name()) ? marker(event) : -1;
      if (m >= 0 && (seen.isEmpty() || seen.get(seen.size() - 1) != m)) {
        seen.add(m);
      }
    }
    return seen;
  }

  private static String metrics() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + web.opsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void stalledSocketsAreCutOffTheCapAnswers429AndAReadingPageGetsEveryUpdate() throws Exception {
    Map<String, String> many = new HashMap<>(); // about 400 KB of JSON per snapshot
    for (int i = 0; i < 3_000; i++) {
      many.put(String.format("Banda %05d ", i) + "x".repeat(90), Integer.toString(i));
    }
    many.put(MARKER, "0");
    redis.hset(RedisKeys.BAND_TOTALS, many);
    redis.publish(RedisKeys.CHANGES_CHANNEL, "{\"kind\":\"bands\",\"changed\":3001,\"updatedAt\":0}");
    List<RawSse> stalled = new ArrayList<>();
    try (SseRecorder page = new SseRecorder("http://127.0.0.1:" + web.httpPort() + "/api/events")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> markers(page).contains(0L));
      for (int i = 0; i < STALLED; i++) {
        stalled.add(RawSse.open(web.httpPort(), "127.0.0.1", 4_096));
      }
      // admitted (they never read their answer, so ask the gauge) before one more is tried
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> metrics().contains("quetzal_web_sse_clients " + (STALLED + 1) + ".0"));
      try (RawSse overCap = RawSse.open(web.httpPort())) {
        RawSse.Response refused = overCap.response();
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNotBlank();
      }

      for (long round = 1; round <= UPDATES; round++) {
        long expected = round;
        redis.hset(RedisKeys.BAND_TOTALS, MARKER, Long.toString(round));
        redis.publish(RedisKeys.CHANGES_CHANNEL, "{\"kind\":\"bands\",\"changed\":1,\"updatedAt\":" + round + "}");
        await().atMost(Duration.ofSeconds(1)).until(() -> markers(page).contains(expected));
      }
      List<Long> every = new ArrayList<>();
      for (long m = 0; m <= UPDATES; m++) {
        every.add(m);
      }
      assertThat(markers(page)).isEqualTo(every);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> metrics().contains("quetzal_web_sse_dropped_total " + STALLED + ".0"));
      assertThat(metrics()).contains("quetzal_web_sse_clients 1.0");
    } finally {
      for (RawSse socket : stalled) {
        socket.close();
      }
    }
  }
}
