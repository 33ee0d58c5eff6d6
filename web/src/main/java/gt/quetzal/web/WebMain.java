package gt.quetzal.web;

import com.mongodb.client.MongoClient;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.kit.Closer;
import gt.quetzal.kit.MongoStore;
import gt.quetzal.kit.RedisStore;
import gt.quetzal.kit.RunningService;
import gt.quetzal.kit.ServiceMain;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/** Wires the web app: config → Redis/Mongo clients → readers → live hub (change subscription) → HTTP. */
public final class WebMain {

  private static final Logger log = LoggerFactory.getLogger(WebMain.class);

  /** Resubscribing to the change channel backs off from 200 ms to at most 5 s. */
  static final Duration RESUBSCRIBE_MIN = Duration.ofMillis(200);
  static final Duration RESUBSCRIBE_MAX = Duration.ofSeconds(5);
  /** A silent subscription is cut after three missed pings (15 s). */
  static final Duration WATCHDOG_PING = Duration.ofSeconds(5);
  /** A dead MongoDB fails a page request in 2 s, not the driver's 30 s. */
  static final Duration MONGO_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration MONGO_READ_TIMEOUT = Duration.ofSeconds(5);
  /** What the app does while a store does not answer at start-up. */
  private static final String MEANWHILE = "serving 503 until it does";

  private WebMain() {}

  public static void main(String[] args) {
    ServiceMain.run(WebConfig::fromEnv, WebMain::start);
  }

  /** Starts everything (clients → readers → live hub → HTTP) and returns one handle closing in reverse order. */
  public static Running start(WebConfig config) {
    return ServiceMain.start(WebConfig.SERVICE, config, (started, registry) -> {

      RedisClient redis = started.register(redisClient(config.redisUrl()));
      RedisStore.refuseRejectedCredentials(redis, config.redisUrl(), MEANWHILE);
      // Its own client: the subscription holds one connection for good, away from the readers' pool.
      RedisClient changesRedis = started.register(redisClient(config.redisUrl()));
      MongoClient mongo = started.register(mongoClient(config.mongoUri()));
      MongoStore.refuseRejectedCredentials(mongo, config.mongoUri(), MongoNames.DATABASE, MEANWHILE);

      StandingsReader standings = new RedisStandingsReader(redis);
      LiveHub live =
          new LiveHub(
              standings,
              new RedisChangeSubscriber(
                  changesRedis, RedisKeys.CHANGES_CHANNEL, RESUBSCRIBE_MIN, RESUBSCRIBE_MAX, WATCHDOG_PING),
              new VoteRate(),
              registry,
              config.sse());
      live.start();

      WebApp app =
          new WebApp(
              new RedisTimelineReader(redis),
              new MongoVoteLogReader(mongo.getDatabase(MongoNames.DATABASE)),
              live,
              registry);
      Javalin http;
      Javalin ops = null;
      try {
        if (config.opsPort().isPresent()) {
          ops = app.createOps().start(config.opsPort().getAsInt());
          started.register(ops::stop);
          http = app.createPublic().start(config.httpPort());
        } else {
          http = app.create().start(config.httpPort());
        }
      } catch (RuntimeException | Error e) {
        live.close();
        throw e;
      }
      started.register(http::stop);
      // Out of order on purpose: the live streams end while the server still runs (see LiveHub.close).
      started.register(live);
      log.info("{} serving the contest page on http://localhost:{}/", WebConfig.SERVICE, http.port());
      int opsPort = ops == null ? http.port() : ops.port();
      log.info("{} serving /healthz /readyz /metrics on port {}", WebConfig.SERVICE, opsPort);
      return new Running(http.port(), opsPort, started);
    });
  }

  static RedisClient redisClient(URI url) {
    return RedisStore.client(url, WebConfig.SERVICE);
  }

  static MongoClient mongoClient(String uri) {
    return MongoStore.client(uri, WebConfig.SERVICE, MONGO_CONNECT_TIMEOUT, MONGO_READ_TIMEOUT);
  }

  /**
   * The running web app: the bound HTTP port, where /healthz, /readyz and /metrics are served (OPS_PORT's
   * bound port, or the HTTP port without it), and close() stopping everything in reverse start order.
   */
  public record Running(int httpPort, int opsPort, Closer started) implements RunningService {}
}
