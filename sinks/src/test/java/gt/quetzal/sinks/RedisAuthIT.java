package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.devstack.RedisServer;
import gt.quetzal.kit.RedisStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * REDIS_URL with credentials against a real Redis that demands them: the default user's password
 * (requirepass, as the Kubernetes manifests run Redis) and an ACL user limited to what the sinks need —
 * the ACL documented in docs/redis-keys.md. The devstack's RedisServer takes no extra arguments, so the
 * test sets both up with CONFIG SET and ACL SETUSER on a running server. {@code rediss://} (TLS) is
 * covered by RedisStoreTest in service-kit: there is no TLS-enabled Redis here.
 */
class RedisAuthIT {

  private static final String PASSWORD = "s3cret pa$$ — ñ";
  private static final String ENCODED = "s3cret%20pa$$%20%E2%80%94%20%C3%B1";

  @TempDir static Path dir;
  private static RedisServer server;

  @BeforeAll
  static void startRedisWithAuth() {
    server = RedisServer.start(0, dir, false);
    try (RedisClient admin = RedisClient.create(URI.create(server.url()))) {
      admin.sendCommand(
          redis.clients.jedis.Protocol.Command.ACL,
          "SETUSER", "quetzal-sinks", "on", ">" + PASSWORD,
          "resetkeys", "~quetzal:*", "resetchannels", "&quetzal:*",
          "-@all", "+@read", "+@write", "+@scripting", "+@pubsub", "+@connection", "-@dangerous");
      // Last: from here on every new connection must authenticate.
      admin.configSet("requirepass", PASSWORD);
    }
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  private static URI url(String userInfo) {
    return URI.create("redis://" + userInfo + "@localhost:" + server.port());
  }

  /** Writes one tally through the production client and sink, then reads it back with the same client. */
  private static String writeAndRead(URI url, String band, long offset) throws Exception {
    try (RedisClient redis = RedisStore.client(url, SinksConfig.SERVICE)) {
      RedisTallySink sink = new RedisTallySink(redis, System::currentTimeMillis, 100, new SimpleMeterRegistry());
      sink.ping();
      sink.prepare(); // the stats seed and the SCAN for guards of earlier versions, as the loop runs them
      sink.write(
          List.of(
              new ConsumerRecord<>(
                  Topics.TALLIES_BANDS.name(), 0, offset,
                  Topics.TALLIES_BANDS.keySerde().serializer().serialize("t", band),
                  Topics.TALLIES_BANDS.valueSerde().serializer().serialize("t", 7L))));
      return redis.hget(RedisKeys.BAND_TOTALS, band);
    }
  }

  @Test
  void aPasswordInTheUrlAuthenticatesTheDefaultUser() throws Exception {
    assertThat(writeAndRead(url(":" + ENCODED), "Alux Nahual", 1)).isEqualTo("7");
  }

  @Test
  void anAclUserWithOnlyTheDocumentedPermissionsCanRunTheSink() throws Exception {
    assertThat(writeAndRead(url("quetzal-sinks:" + ENCODED), "Viernes Verde", 2)).isEqualTo("7");
  }

  @Test
  void theAclUserCannotTouchAnythingOutsideQuetzal() {
    try (RedisClient redis = RedisStore.client(url("quetzal-sinks:" + ENCODED), SinksConfig.SERVICE)) {
      assertThatThrownBy(() -> redis.hset("other:key", "f", "v")).isInstanceOf(JedisException.class).hasMessageContaining("NOPERM");
      assertThatThrownBy(redis::flushAll).isInstanceOf(JedisException.class).hasMessageContaining("NOPERM");
    }
  }

  @Test
  void aWrongOrMissingPasswordFailsTheWriteSoTheLoopWouldHoldAndRetry() {
    assertThatThrownBy(() -> writeAndRead(url(":wrong"), "Bohemia Suburbana", 3))
        .as("a wrong password is refused by Redis")
        .isInstanceOf(JedisException.class)
        .hasMessageContaining("WRONGPASS");
    assertThatThrownBy(() -> writeAndRead(URI.create(server.url()), "Bohemia Suburbana", 3))
        .as("no password is refused by Redis")
        .isInstanceOf(JedisException.class)
        .hasMessageContaining("NOAUTH");
    try (RedisClient redis = RedisStore.client(url(":" + ENCODED), SinksConfig.SERVICE)) {
      assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Bohemia Suburbana")).as("nothing was written").isNull();
    }
  }

  @Test
  void aRefusedPasswordStopsTheStartNamingTheVariableNotThePassword() {
    URI wrong = url("quetzal-sinks:not-" + ENCODED);
    try (RedisClient redis = RedisStore.client(wrong, SinksConfig.SERVICE)) {
      assertThatThrownBy(() -> RedisStore.refuseRejectedCredentials(redis, wrong, "the tallies wait for it"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("REDIS_URL: redis://***@localhost:" + server.port() + " refused the credentials")
          .hasMessageContaining("WRONGPASS")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-").doesNotContain("s3cret"));
    }
    URI right = url("quetzal-sinks:" + ENCODED);
    try (RedisClient redis = RedisStore.client(right, SinksConfig.SERVICE)) {
      RedisStore.refuseRejectedCredentials(redis, right, "the tallies wait for it");
    }
  }

  @Test
  void anUnreachableRedisIsAnOutageNotARefusal() {
    // Nothing listens on port 1: the sinks start anyway and back off until Redis appears.
    URI down = URI.create("redis://:" + ENCODED + "@localhost:1");
    try (RedisClient redis = RedisStore.client(down, SinksConfig.SERVICE)) {
      RedisStore.refuseRejectedCredentials(redis, down, "the tallies wait for it");
    }
  }
}
