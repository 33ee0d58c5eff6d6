package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;

/** The Redis client settings REDIS_URL turns into (the credentialed cases also run on a real Redis in RedisAuthIT). */
class SinksMainTest {

  @Test
  void aPlainUrlConnectsWithoutCredentialsOrTls() {
    DefaultJedisClientConfig config = SinksMain.redisClientConfig(URI.create("redis://localhost:6379"));

    assertThat(config.getUser()).isNull();
    assertThat(config.getPassword()).isNull();
    assertThat(config.isSsl()).isFalse();
    assertThat(config.getDatabase()).isZero();
    assertThat(config.getSocketTimeoutMillis()).isEqualTo(2_000);
    assertThat(config.getConnectionTimeoutMillis()).isEqualTo(2_000);
    assertThat(SinksMain.redisHostAndPort(URI.create("redis://localhost:6379"))).isEqualTo(new HostAndPort("localhost", 6379));
  }

  @Test
  void aPasswordAloneAuthenticatesTheDefaultUser() {
    DefaultJedisClientConfig config = SinksMain.redisClientConfig(URI.create("redis://:s3cret@redis:6379/2"));

    assertThat(config.getUser()).isNull();
    assertThat(config.getPassword()).isEqualTo("s3cret");
    assertThat(config.getDatabase()).isEqualTo(2);
  }

  @Test
  void anAclUserAndAPercentEncodedPasswordAreDecoded() {
    DefaultJedisClientConfig config = SinksMain.redisClientConfig(URI.create("redis://quetzal-sinks:p%40ss%3Aword@redis:6379"));

    assertThat(config.getUser()).isEqualTo("quetzal-sinks");
    assertThat(config.getPassword()).isEqualTo("p@ss:word");
  }

  @Test
  void redissMeansTlsAndTheDefaultPortIsAssumed() {
    URI url = URI.create("rediss://quetzal-sinks:pw@redis.example.com");

    assertThat(SinksMain.redisClientConfig(url).isSsl()).isTrue();
    assertThat(SinksMain.redisHostAndPort(url)).isEqualTo(new HostAndPort("redis.example.com", 6379));
  }
}
