package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.VoteEvent;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WebAppTest {

  private static final StandingsReader THREE_BANDS =
      () ->
          new StandingsReader.Snapshot(
              Map.of("Alux Nahual", 30L, "Malacates Trébol Shop", 50L, "<img src=x onerror=alert(1)>", 20L),
              1_700_000_000_000L);

  private static final StandingsReader REDIS_DOWN =
      () -> {
        throw new IllegalStateException("Failed to connect to any host resolved for DNS name.");
      };

  private static final VoteLogReader MONGO_DOWN =
      limit -> {
        throw new IllegalStateException("Timed out while waiting for a server");
      };

  /** A log of votes 1..n where a higher number is newer; remembers the limit it was asked for. */
  private static final class Log implements VoteLogReader {
    final AtomicInteger lastLimit = new AtomicInteger();

    @Override
    public List<VoteEvent> newest(int limit) {
      lastLimit.set(limit);
      List<VoteEvent> votes = new ArrayList<>();
      for (int i = 30; i > 30 - limit && i > 0; i--) {
        votes.add(new VoteEvent("v" + i, "Alux Nahual", "Alux Nahual", 1982, i, null, "http", 1_000L * i));
      }
      return votes;
    }
  }

  private static JsonNode json(String body) throws IOException {
    return Json.MAPPER.readTree(body);
  }

  @Test
  void standingsAreSortedWithTotalsSharesAndUpdateTime() {
    JavalinTest.test(
        new WebApp(THREE_BANDS, new Log()).create(),
        (server, client) -> {
          var response = client.get("/api/standings");
          assertThat(response.code()).isEqualTo(200);
          assertThat(response.headers().get("Content-Type").get(0)).startsWith("application/json");
          JsonNode body = json(response.body().string());
          assertThat(body.get("total").asLong()).isEqualTo(100);
          assertThat(body.get("updatedAt").asLong()).isEqualTo(1_700_000_000_000L);
          JsonNode bands = body.get("bands");
          assertThat(bands).hasSize(3);
          assertThat(bands.get(0).get("name").asText()).isEqualTo("Malacates Trébol Shop");
          assertThat(bands.get(0).get("total").asLong()).isEqualTo(50);
          assertThat(bands.get(0).get("share").asDouble()).isEqualTo(0.5);
          assertThat(bands.get(1).get("name").asText()).isEqualTo("Alux Nahual");
          assertThat(bands.get(2).get("name").asText()).isEqualTo("<img src=x onerror=alert(1)>");
          assertThat(bands.get(2).get("share").asDouble()).isEqualTo(0.2);
        });
  }

  @Test
  void votesAreNewestFirstWithADefaultLimitOf20() {
    Log log = new Log();
    JavalinTest.test(
        new WebApp(THREE_BANDS, log).create(),
        (server, client) -> {
          var response = client.get("/api/votes");
          assertThat(response.code()).isEqualTo(200);
          JsonNode votes = json(response.body().string()).get("votes");
          assertThat(log.lastLimit.get()).isEqualTo(20);
          assertThat(votes).hasSize(20);
          assertThat(votes.get(0).get("voteId").asText()).isEqualTo("v30");
          assertThat(votes.get(0).get("receivedAt").asLong()).isEqualTo(30_000L);
          assertThat(votes.get(19).get("voteId").asText()).isEqualTo("v11");

          assertThat(json(client.get("/api/votes?limit=5").body().string()).get("votes")).hasSize(5);
          assertThat(log.lastLimit.get()).isEqualTo(5);
        });
  }

  @Test
  void aBadLimitIsAProblemNotAnError() {
    JavalinTest.test(
        new WebApp(THREE_BANDS, new Log()).create(),
        (server, client) -> {
          for (String bad : List.of("0", "101", "abc", "-3")) {
            var response = client.get("/api/votes?limit=" + bad);
            assertThat(response.code()).as("limit=" + bad).isEqualTo(400);
            assertThat(response.headers().get("Content-Type").get(0)).startsWith("application/problem+json");
            assertThat(json(response.body().string()).get("param").asText()).isEqualTo("limit");
          }
        });
  }

  @Test
  void redisDownGives503ProblemNamingRedis() {
    JavalinTest.test(
        new WebApp(REDIS_DOWN, new Log()).create(),
        (server, client) -> {
          var response = client.get("/api/standings");
          assertThat(response.code()).isEqualTo(503);
          assertThat(response.headers().get("Content-Type").get(0)).startsWith("application/problem+json");
          assertThat(response.headers().get("Retry-After")).containsExactly("2");
          JsonNode problem = json(response.body().string());
          assertThat(problem.get("status").asInt()).isEqualTo(503);
          assertThat(problem.get("backend").asText()).isEqualTo("redis");
          assertThat(problem.get("detail").asText()).contains("Redis");
          // The other backend still answers.
          assertThat(client.get("/api/votes").code()).isEqualTo(200);
        });
  }

  @Test
  void mongoDownGives503ProblemNamingMongo() {
    JavalinTest.test(
        new WebApp(THREE_BANDS, MONGO_DOWN).create(),
        (server, client) -> {
          var response = client.get("/api/votes");
          assertThat(response.code()).isEqualTo(503);
          assertThat(json(response.body().string()).get("backend").asText()).isEqualTo("mongo");
          assertThat(client.get("/api/standings").code()).isEqualTo(200);
        });
  }

  @Test
  void readinessNamesEachUnreachableBackend() {
    JavalinTest.test(
        new WebApp(REDIS_DOWN, MONGO_DOWN).create(),
        (server, client) -> {
          var ready = client.get("/readyz");
          assertThat(ready.code()).isEqualTo(503);
          assertThat(json(ready.body().string()).get("reasons").toString())
              .contains("redis is unreachable")
              .contains("mongo is unreachable");
          assertThat(client.get("/healthz").code()).isEqualTo(200);
        });
    JavalinTest.test(
        new WebApp(THREE_BANDS, new Log()).create(),
        (server, client) -> assertThat(client.get("/readyz").code()).isEqualTo(200));
  }

  @Test
  void metricsCountBackendFailures() {
    JavalinTest.test(
        new WebApp(REDIS_DOWN, new Log()).create(),
        (server, client) -> {
          client.get("/api/standings");
          client.get("/api/standings");
          String metrics = client.get("/metrics").body().string();
          assertThat(metrics).contains("quetzal_web_backend_errors_total{backend=\"redis\"} 2.0");
        });
  }

  @Test
  void thePageIsSpanishSelfContainedAndLocked() {
    JavalinTest.test(
        new WebApp(THREE_BANDS, new Log()).create(),
        (server, client) -> {
          var page = client.get("/");
          assertThat(page.code()).isEqualTo(200);
          assertThat(page.headers().get("Content-Type").get(0)).startsWith("text/html").containsIgnoringCase("charset=utf-8");
          String html = page.body().string();
          assertThat(html)
              .contains("<html lang=\"es\">")
              .contains("Quetzal — Concurso de bandas guatemaltecas")
              .contains("src=\"/app.js\"")
              .doesNotContain("http://")
              .doesNotContain("https://");
          assertThat(page.headers().get("Content-Security-Policy").get(0)).contains("default-src 'self'");

          var script = client.get("/app.js");
          assertThat(script.code()).isEqualTo(200);
          assertThat(script.headers().get("Content-Type").get(0)).containsIgnoringCase("charset=utf-8");
          assertThat(script.body().string()).contains("/api/standings").contains("textContent");
          assertThat(client.get("/app.css").code()).isEqualTo(200);
        });
  }

  @Test
  void thePageNeverInjectsMarkup() throws IOException {
    // Names are attacker-controlled input; the script must only use textContent to show them.
    try (InputStream in = WebApp.class.getResourceAsStream("/public/app.js")) {
      assertThat(in).isNotNull();
      String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(script)
          .doesNotContain("innerHTML")
          .doesNotContain("outerHTML")
          .doesNotContain("insertAdjacentHTML")
          .doesNotContain("document.write");
    }
  }
}
