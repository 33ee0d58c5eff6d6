package gt.quetzal.web;

import com.mongodb.ConnectionString;
import gt.quetzal.contract.EnvReader;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * The web app's settings: {@code REDIS_URL} (default redis://localhost:6379; credentials and
 * {@code rediss://} TLS allowed), {@code MONGO_URI} (default mongodb://localhost:27017) and
 * {@code HTTP_PORT} (default 8088, 0 = any free port).
 */
public record WebConfig(URI redisUrl, String mongoUri, int httpPort) {

  public static final String SERVICE = "quetzal-web";

  public WebConfig {
    Objects.requireNonNull(redisUrl, "redisUrl");
    Objects.requireNonNull(mongoUri, "mongoUri");
  }

  public static WebConfig fromEnv(Map<String, String> environment) {
    return fromEnv(new EnvReader(environment));
  }

  /** The same, through a reader the caller keeps, so deployment checks can see which variables were read. */
  public static WebConfig fromEnv(EnvReader env) {
    URI redis = env.uri("REDIS_URL", "redis://localhost:6379", "redis", "rediss");
    String mongo = env.string("MONGO_URI", "mongodb://localhost:27017");
    try {
      new ConnectionString(mongo);
    } catch (IllegalArgumentException e) {
      // The driver's message may echo the URI; name only the variable so no password is logged.
      env.problem("MONGO_URI is not a valid MongoDB connection string");
    }
    int port = env.port("HTTP_PORT", 8088);
    env.validate(SERVICE);
    return new WebConfig(redis, mongo, port);
  }

  /** Credentials in either URI never reach a log line. */
  @Override
  public String toString() {
    return "WebConfig[redisUrl=" + redact(redisUrl.toString())
        + ", mongoUri=" + redact(mongoUri)
        + ", httpPort=" + httpPort + "]";
  }

  static String redact(String uri) {
    return uri.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]*@", "$1***@");
  }
}
