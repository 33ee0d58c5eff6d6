package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * What REDIS_URL turns into. The credentialed cases also run on a real Redis in the sinks' RedisAuthIT
 * and the web's WebCredentialsIT.
 */
class RedisStoreTest {

  @Test
  void aPlainUrlConnectsWithoutCredentialsOrTls() {
    DefaultJedisClientConfig config = RedisStore.clientConfig(URI.create("redis://localhost:6379"), "quetzal-sinks");

    assertThat(config.getUser()).isNull();
    assertThat(config.getPassword()).isNull();
    assertThat(config.isSsl()).isFalse();
    assertThat(config.getDatabase()).isZero();
    assertThat(config.getSocketTimeoutMillis()).isEqualTo(2_000);
    assertThat(config.getConnectionTimeoutMillis()).isEqualTo(2_000);
    assertThat(config.getClientName()).isEqualTo("quetzal-sinks");
    assertThat(RedisStore.hostAndPort(URI.create("redis://localhost:6379"))).isEqualTo(new HostAndPort("localhost", 6379));
  }

  @Test
  void aPasswordAloneAuthenticatesTheDefaultUser() {
    DefaultJedisClientConfig config = RedisStore.clientConfig(URI.create("redis://:s3cret@redis:6379/2"), "x");

    assertThat(config.getUser()).isNull();
    assertThat(config.getPassword()).isEqualTo("s3cret");
    assertThat(config.getDatabase()).isEqualTo(2);
  }

  @Test
  void anAclUserAndAPercentEncodedPasswordAreDecoded() {
    DefaultJedisClientConfig config =
        RedisStore.clientConfig(URI.create("redis://quetzal-sinks:p%40ss%3Aword@redis:6379"), "x");

    assertThat(config.getUser()).isEqualTo("quetzal-sinks");
    assertThat(config.getPassword()).isEqualTo("p@ss:word");
  }

  @Test
  void redissMeansTlsAndTheDefaultPortIsAssumed() {
    URI url = URI.create("rediss://quetzal-sinks:pw@redis.example.com");

    assertThat(RedisStore.clientConfig(url, "x").isSsl()).isTrue();
    assertThat(RedisStore.hostAndPort(url)).isEqualTo(new HostAndPort("redis.example.com", 6379));
  }

  // ---- reading REDIS_URL ----

  private static EnvReader.ConfigException refused(String url) {
    EnvReader env = new EnvReader(Map.of("REDIS_URL", url));
    RedisStore.url(env);
    return (EnvReader.ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> env.validate("svc"));
  }

  @Test
  void theUrlIsReadWithItsDevDefault() {
    EnvReader env = new EnvReader(Map.of());
    assertThat(RedisStore.url(env)).isEqualTo(URI.create("redis://localhost:6379"));
    env.validate("svc");
    assertThat(env.consulted()).containsExactly("REDIS_URL");

    EnvReader given = new EnvReader(Map.of("REDIS_URL", "rediss://web:pw@redis:6380/1"));
    assertThat(RedisStore.url(given)).isEqualTo(URI.create("rediss://web:pw@redis:6380/1"));
    given.validate("svc");
  }

  @Test
  void aBadUrlIsRefusedByNameWithoutItsPassword() {
    assertThat(refused("redis://hunter2@redis:6379").problems())
        .singleElement()
        .asString()
        .contains("REDIS_URL credentials must be ':password' or 'user:password'")
        .doesNotContain("hunter2");
    assertThat(refused("http://localhost:6379").problems()).singleElement().asString().contains("REDIS_URL");
    // An underscore makes java.net.URI read the authority as a registry name: no host for Jedis.
    assertThat(refused("redis://redis_host:6379").problems()).containsExactly("REDIS_URL has no host");
  }

  // ---- TLS on the wire: a bare socket records the first byte (0x16 opens a TLS handshake, '*' plain RESP) ----

  private static int firstByteSentBy(String scheme) throws Exception {
    try (ServerSocket server = new ServerSocket(0)) {
      server.setSoTimeout(10_000);
      CompletableFuture<Integer> first =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = server.accept()) {
                  socket.setSoTimeout(10_000);
                  return socket.getInputStream().read();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      URI url = URI.create(scheme + "://web:pw@localhost:" + server.getLocalPort());
      try (RedisClient redis = RedisStore.client(url, "quetzal-web")) {
        // Nobody answers properly, so the ping fails; only what was sent matters.
        assertThatThrownBy(redis::ping).isInstanceOf(RuntimeException.class);
      }
      return first.get(15, TimeUnit.SECONDS);
    }
  }

  @Test
  void redissOpensWithATlsHandshake() throws Exception {
    assertThat(firstByteSentBy("rediss")).isEqualTo(0x16);
  }

  @Test
  void redisSpeaksPlainResp() throws Exception {
    assertThat(firstByteSentBy("redis")).isEqualTo('*');
  }
}
