package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The production readers and clients against ports where nothing listens: 503s naming the store, quickly. */
class RealReadersDownTest {

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void unreachableStoresBecome503ProblemsAndNotReady() throws IOException {
    int port = closedPort();
    try (RedisClient redis = WebMain.redisClient(URI.create("redis://localhost:" + port));
        MongoClient mongo = WebMain.mongoClient("mongodb://localhost:" + port)) {
      StandingsReader standings = new RedisStandingsReader(redis);
      WebApp app =
          new WebApp(
              standings,
              new RedisTimelineReader(redis),
              new MongoVoteLogReader(mongo.getDatabase(MongoNames.DATABASE)),
              new LiveHub(standings, new Fakes.Changes(), new VoteRate(), WebApp.newRegistry()),
              WebApp.newRegistry());
      JavalinTest.test(
          app.create(),
          (server, client) -> {
            for (String path : List.of("/api/standings", "/api/stats", "/api/timeline", "/api/timeline?band=x")) {
              var response = client.get(path);
              assertThat(response.code()).as(path).isEqualTo(503);
              JsonNode problem = Json.MAPPER.readTree(response.body().string());
              assertThat(problem.get("backend").asText()).as(path).isEqualTo("redis");
            }
            for (String path : List.of("/api/votes", "/api/votes/v1", "/api/rejected")) {
              var response = client.get(path);
              assertThat(response.code()).as(path).isEqualTo(503);
              assertThat(Json.MAPPER.readTree(response.body().string()).get("backend").asText())
                  .as(path)
                  .isEqualTo("mongo");
            }
            assertThat(client.get("/readyz").code()).isEqualTo(503);
          });
    }
  }

  @Test
  void theSubscriberReportsTheOutageOnceAndKeepsRetryingUntilClosed() throws IOException {
    int port = closedPort();
    List<Exception> lost = new CopyOnWriteArrayList<>();
    AtomicInteger connected = new AtomicInteger();
    try (RedisClient redis = WebMain.redisClient(URI.create("redis://localhost:" + port))) {
      RedisChangeSubscriber subscriber =
          new RedisChangeSubscriber(
              redis, RedisKeys.CHANGES_CHANNEL, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(5));
      subscriber.start(
          new ChangeSource.Listener() {
            @Override
            public void onConnected() {
              connected.incrementAndGet();
            }

            @Override
            public void onChange(String note) {}

            @Override
            public void onLost(Exception cause) {
              lost.add(cause);
            }
          });
      await().atMost(Duration.ofSeconds(5)).until(() -> !lost.isEmpty());
      // Many retries at the 20 ms cap happen in this second; the listener hears about the outage once.
      await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(lost).hasSize(1);
      assertThat(connected.get()).isZero();
      subscriber.close();
    }
  }
}
