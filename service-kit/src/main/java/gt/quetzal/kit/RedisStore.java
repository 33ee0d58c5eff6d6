package gt.quetzal.kit;

import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * {@code REDIS_URL} from the environment to a connected client, the same for every service that reads
 * or writes Redis: {@code redis://:password@host} authenticates the default user (requirepass),
 * {@code redis://user:password@host} an ACL user, {@code /2} selects database 2, and {@code rediss://}
 * connects with TLS (the JVM's trust store verifies the server).
 */
public final class RedisStore {

  public static final String VARIABLE = "REDIS_URL";
  /** For a developer's machine only: no credentials. */
  public static final String DEV_DEFAULT = "redis://localhost:6379";
  /** Short: a dead Redis must fail a call quickly, so a loop backs off and a page answers 503, not hangs. */
  static final int TIMEOUT_MILLIS = 2_000;

  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);

  private RedisStore() {}

  /** Reads REDIS_URL; a malformed one is reported to {@code env} (never echoing the password). */
  public static URI url(EnvReader env) {
    URI url = env.uri(VARIABLE, DEV_DEFAULT, "redis", "rediss");
    String userInfo = url.getUserInfo();
    if (userInfo != null && !userInfo.contains(":")) {
      // Jedis would read "name@" as neither user nor password; say so now instead of failing to AUTH later.
      env.problem(VARIABLE + " credentials must be ':password' or 'user:password' before the '@'");
    }
    if (url.getHost() == null) {
      env.problem(VARIABLE + " has no host");
    }
    return url;
  }

  /** A pooled client; it connects on first use. {@code clientName} shows in Redis's CLIENT LIST. */
  public static RedisClient client(URI url, String clientName) {
    return RedisClient.builder().hostAndPort(hostAndPort(url)).clientConfig(clientConfig(url, clientName)).build();
  }

  /** {@code host:port} of the URL; 6379 when it names no port. */
  static HostAndPort hostAndPort(URI url) {
    return new HostAndPort(url.getHost(), url.getPort() < 0 ? 6379 : url.getPort());
  }

  /** Credentials, database and TLS, all from the URL (the password percent-decoded). */
  static DefaultJedisClientConfig clientConfig(URI url, String clientName) {
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .timeoutMillis(TIMEOUT_MILLIS)
            .clientName(clientName)
            .ssl(JedisURIHelper.isRedisSSLScheme(url))
            .database(JedisURIHelper.getDBIndex(url));
    if (url.getUserInfo() != null) {
      config.user(JedisURIHelper.getUser(url)).password(JedisURIHelper.getPassword(url));
    }
    return config.build();
  }

  /**
   * The first ping. A password Redis refuses will not start working on a retry: stop now with a message
   * naming REDIS_URL (never the password). An unreachable Redis is an outage the service rides out, so
   * that only logs, saying what the service does {@code meanwhile}.
   */
  public static void refuseRejectedCredentials(RedisClient redis, URI url, String meanwhile) {
    RuntimeException down = CredentialCheck.ping(VARIABLE, url.toString(), redis::ping, Redact::redisRefusal);
    if (down != null) {
      log.warn("Redis at {} does not answer yet ({}); {}", Redact.uri(url.toString()), down.toString(), meanwhile);
    }
  }
}
