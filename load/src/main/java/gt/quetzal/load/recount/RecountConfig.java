package gt.quetzal.load.recount;

import gt.quetzal.kit.EnvReader;
import gt.quetzal.kit.MongoStore;
import gt.quetzal.kit.RedisStore;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where the recount reads, from the same variables the services use, so that it runs against the
 * local stack as it is and against a cluster through port-forwards.
 *
 * @param bootstrapServers KAFKA_BOOTSTRAP_SERVERS (default {@code localhost:9092})
 * @param redisUrl         REDIS_URL (default {@code redis://localhost:6379})
 * @param mongoUri         MONGO_URI (default {@code mongodb://localhost:27017})
 * @param settle           RECOUNT_SETTLE_SECONDS (default 30): how long Redis and MongoDB may take
 *                         to agree, read again every second; 0 reads them once
 */
public record RecountConfig(String bootstrapServers, URI redisUrl, String mongoUri, Duration settle) {

  public static final String SERVICE = "recount";

  public static RecountConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    String bootstrap = env.string("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    URI redis = RedisStore.url(env);
    String mongo = MongoStore.uri(env);
    int settle = env.integer("RECOUNT_SETTLE_SECONDS", 30, 0, 3_600);
    env.validate(SERVICE);
    return new RecountConfig(bootstrap, redis, mongo, Duration.ofSeconds(settle));
  }
}
