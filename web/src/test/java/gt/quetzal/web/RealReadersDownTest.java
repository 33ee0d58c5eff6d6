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
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The production readers and clients against ports where nothing listens: 503s naming the store, quickly. */
class RealReadersDownTest {

  /**
   * A port where nothing listens that stays reserved while the test runs: a socket bound to it that
   * never listens, so connections to it are refused and no other process can take the port meanwhile.
   */
  private static Socket reservedClosedPort() throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(0));
    return socket;
  }

  @Test
  void unreachableStoresBecome503ProblemsAndNotReady() throws IOException {
    try (Socket reserved = reservedClosedPort();
        RedisClient redis = WebMain.redisClient(URI.create("redis://localhost:" + reserved.getLocalPort()));
        MongoClient mongo = WebMain.mongoClient("mongodb://localhost:" + reserved.getLocalPort())) {
      StandingsReader standings = new RedisStandingsReader(redis);
      WebApp app =
          new WebApp(
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

  private static Set<Thread> subscriberThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("redis-changes"))
        .collect(Collectors.toSet());
  }

  /**
   * A Redis that hangs up on every connection: each attempt the subscriber makes is one accepted
   * connection here, so the retries are counted rather than waited for.
   */
  @Test
  void theSubscriberReportsTheOutageOnceAndKeepsRetryingUntilClosed() throws Exception {
    List<Exception> lost = new CopyOnWriteArrayList<>();
    AtomicInteger connected = new AtomicInteger();
    AtomicInteger attempts = new AtomicInteger();
    try (ServerSocket hangsUp = new ServerSocket(0)) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!hangsUp.isClosed()) {
                  try (Socket accepted = hangsUp.accept()) {
                    attempts.incrementAndGet();
                  } catch (IOException e) {
                    return; // the test closed the server
                  }
                }
              },
              "hangs-up");
      acceptor.setDaemon(true);
      acceptor.start();
      Set<Thread> before = subscriberThreads();
      try (RedisClient redis = WebMain.redisClient(URI.create("redis://localhost:" + hangsUp.getLocalPort()))) {
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
        Set<Thread> mine = subscriberThreads();
        mine.removeAll(before);
        assertThat(mine).as("the subscriber runs on its own thread").hasSize(1);
        Thread thread = mine.iterator().next();

        await().atMost(Duration.ofSeconds(10)).until(() -> !lost.isEmpty());
        int atFirstLoss = attempts.get();
        // Ten more failed attempts after the outage was reported: the subscriber keeps retrying...
        await().atMost(Duration.ofSeconds(20)).until(() -> attempts.get() >= atFirstLoss + 10);
        // ...and the listener heard about the outage once, never about a connection.
        assertThat(lost).hasSize(1);
        assertThat(connected.get()).isZero();

        subscriber.close();
        // close() joins the subscriber thread (up to 5 s); the bound here is generous on a loaded machine.
        await().atMost(Duration.ofSeconds(20)).until(() -> !thread.isAlive());
        assertThat(lost).as("closing is not another outage").hasSize(1);
      }
    }
  }
}
