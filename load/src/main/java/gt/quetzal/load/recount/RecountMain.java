package gt.quetzal.load.recount;

import com.mongodb.client.MongoClient;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.kit.EnvReader;
import gt.quetzal.kit.MongoStore;
import gt.quetzal.kit.RedisStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import redis.clients.jedis.RedisClient;

/**
 * {@code ./quetzal recount}: proves a result after a contest. Exit 0 when Kafka's vote log,
 * MongoDB's and Redis agree on every aggregate; 1 when they differ or the Kafka log is partial; 2
 * when a store could not be read or the configuration is wrong.
 */
public final class RecountMain {

  private RecountMain() {}

  public static void main(String[] args) {
    System.exit(run(System.getenv(), System.out, System.err));
  }

  public static int run(Map<String, String> environment, PrintStream out, PrintStream err) {
    RecountConfig config;
    try {
      config = RecountConfig.fromEnv(environment);
    } catch (EnvReader.ConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    try {
      Recount.Verdict verdict = recount(config);
      out.print(RecountReport.render(verdict));
      return verdict.agrees() ? 0 : 1;
    } catch (RuntimeException e) {
      err.println("recount failed: " + e.getMessage());
      return 2;
    }
  }

  /** One recount with its own clients: the load verdict's. */
  public static Recount.Verdict recount(RecountConfig config) {
    try (RedisClient redis = RedisStore.client(config.redisUrl(), RecountConfig.SERVICE);
        MongoClient mongo = MongoStore.client(config.mongoUri(), RecountConfig.SERVICE, Duration.ofSeconds(5), Duration.ofSeconds(60))) {
      return recount(config, redis, mongo);
    }
  }

  /** One recount with {@code config}'s settle time, on the caller's clients (the fault runs'). */
  public static Recount.Verdict recount(RecountConfig config, RedisClient redis, MongoClient mongo) {
    try (KafkaRecount kafka =
        new KafkaRecount(
            Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()), Duration.ofSeconds(30))) {
      Recount recount = new Recount(kafka, mongo.getDatabase(MongoNames.DATABASE), redis);
      int attempts = 1 + (int) config.settle().toSeconds();
      return recount.run(attempts, RecountMain::secondPause);
    }
  }

  private static void secondPause() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the stores to settle", e);
    }
  }
}
