package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.MongoStandIn;
import gt.quetzal.devstack.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * The web app against a Redis that demands a password (as the Kubernetes manifests run it): the
 * credentials in REDIS_URL are used by both of its clients (readers and the change subscription), an
 * ACL user with read and subscribe rights is enough, and a wrong password stops the start with a message
 * naming REDIS_URL but not the password. Also: OPS_PORT on the real main. {@code rediss://} is accepted
 * by the config (WebConfigTest); there is no TLS-enabled Redis here to connect to.
 */
class WebCredentialsIT {

  private static final String PASSWORD = "w3b pa$$ — ñ";
  private static final String ENCODED = "w3b%20pa$$%20%E2%80%94%20%C3%B1";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dir;
  private static RedisServer redisServer;
  private static MongoStandIn mongoServer;

  @BeforeAll
  static void startStores() {
    redisServer = RedisServer.start(0, dir, false);
    mongoServer = MongoStandIn.startInMemory(0);
    try (RedisClient admin = RedisClient.create(URI.create(redisServer.url()))) {
      admin.hset(RedisKeys.BAND_TOTALS, "Alux Nahual", "42");
      // The web app only reads and subscribes.
      admin.sendCommand(
          Protocol.Command.ACL,
          "SETUSER", "quetzal-web", "on", ">" + PASSWORD,
          "resetkeys", "~quetzal:*", "resetchannels", "&quetzal:*",
          "-@all", "+@read", "+@pubsub", "+@connection", "-@dangerous");
      admin.configSet("requirepass", PASSWORD);
    }
  }

  @AfterAll
  static void stopStores() {
    if (redisServer != null) {
      redisServer.close();
    }
    if (mongoServer != null) {
      mongoServer.close();
    }
  }

  private static String redisUrl(String userInfo) {
    return "redis://" + userInfo + "@localhost:" + redisServer.port();
  }

  private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static WebMain.Running start(String redisUrl) {
    return WebMain.start(
        WebConfig.fromEnv(
            Map.of("REDIS_URL", redisUrl, "MONGO_URI", mongoServer.uri(), "HTTP_PORT", "0", "OPS_PORT", "0")));
  }

  @Test
  void anAclUserWithReadAndSubscribeRightsServesTheStandingsAndMetricsStayOnTheOpsPort() throws Exception {
    try (WebMain.Running web = start(redisUrl("quetzal-web:" + ENCODED))) {
      assertThat(web.opsPort()).isNotEqualTo(web.httpPort());
      HttpResponse<String> standings = get(web.httpPort(), "/api/standings");
      assertThat(standings.statusCode()).isEqualTo(200);
      assertThat(standings.body()).contains("\"total\":42");
      assertThat(get(web.httpPort(), "/metrics").statusCode()).isEqualTo(404);
      assertThat(get(web.opsPort(), "/metrics").body()).contains("quetzal_web_backend_errors_total");
      assertThat(get(web.opsPort(), "/readyz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void thePasswordOfTheDefaultUserWorksToo() throws Exception {
    try (WebMain.Running web = start(redisUrl(":" + ENCODED))) {
      assertThat(get(web.httpPort(), "/api/standings").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aWrongPasswordStopsTheStartNamingTheVariableNotThePassword() {
    assertThatThrownBy(() -> start(redisUrl("quetzal-web:not-" + ENCODED)).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("REDIS_URL: redis://***@localhost:" + redisServer.port() + " refused the credentials")
        .hasMessageContaining("WRONGPASS")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-").doesNotContain("pa$$"));
    assertThatThrownBy(() -> start(redisServer.url()).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NOAUTH");
  }

  @Test
  void mongoCredentialsThatAreRefusedStopTheStartNamingMongoUri() {
    // The MongoDB stand-in knows no users, so it refuses every login: enough to see the message.
    String uri = "mongodb://quetzal:hunter2@localhost:" + mongoServer.port() + "/?authSource=admin";
    assertThatThrownBy(
            () -> WebMain.start(
                WebConfig.fromEnv(Map.of("REDIS_URL", redisUrl(":" + ENCODED), "MONGO_URI", uri, "HTTP_PORT", "0")))
                .close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("MONGO_URI: mongodb://***@localhost:" + mongoServer.port())
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }
}
