package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.MongoNames;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
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
      WebApp app =
          new WebApp(new RedisStandingsReader(redis), new MongoVoteLogReader(mongo.getDatabase(MongoNames.DATABASE)));
      JavalinTest.test(
          app.create(),
          (server, client) -> {
            var standings = client.get("/api/standings");
            assertThat(standings.code()).isEqualTo(503);
            JsonNode redisProblem = Json.MAPPER.readTree(standings.body().string());
            assertThat(redisProblem.get("backend").asText()).isEqualTo("redis");

            var votes = client.get("/api/votes");
            assertThat(votes.code()).isEqualTo(503);
            assertThat(Json.MAPPER.readTree(votes.body().string()).get("backend").asText()).isEqualTo("mongo");

            assertThat(client.get("/readyz").code()).isEqualTo(503);
          });
    }
  }
}
