package gt.quetzal.web;

import com.mongodb.ConnectionString;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import gt.quetzal.kit.Closer;
import gt.quetzal.kit.CredentialCheck;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.kit.Redact;
import gt.quetzal.contract.RedisKeys;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/** Wires the web app: config → Redis/Mongo clients → readers → live hub (change subscription) → HTTP. */
public final class WebMain {

  private static final Logger log = LoggerFactory.getLogger(WebMain.class);

  /** Resubscribing to the change channel backs off from 200 ms to at most 5 s. */
  static final Duration RESUBSCRIBE_MIN = Duration.ofMillis(200);
  static final Duration RESUBSCRIBE_MAX = Duration.ofSeconds(5);
  /** A silent subscription is cut after three missed pings (15 s). */
  static final Duration WATCHDOG_PING = Duration.ofSeconds(5);

  private WebMain() {}

  public static void main(String[] args) {
    WebConfig config = WebConfig.fromEnv(System.getenv());
    AutoCloseable running = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> Closer.closeQuietly(running), "shutdown"));
  }

  /** Starts everything (clients → readers → live hub → HTTP) and returns one handle closing in reverse order. */
  public static Running start(WebConfig config) {
    log.info("starting {} with {}", WebConfig.SERVICE, config);
    Closer started = new Closer();
    try {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      started.register(registry::close);
      new JvmMemoryMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);

      RedisClient redis = redisClient(config.redisUrl());
      started.register(redis);
      refuseRejectedRedisCredentials(redis, config.redisUrl());
      // Its own client: the subscription holds one connection for good, away from the readers' pool.
      RedisClient changesRedis = redisClient(config.redisUrl());
      started.register(changesRedis);
      MongoClient mongo = mongoClient(config.mongoUri());
      started.register(mongo);
      refuseRejectedMongoCredentials(mongo, config.mongoUri());

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
              standings,
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
    } catch (RuntimeException | Error e) {
      started.close();
      throw e;
    }
  }

  /** Credentials, database and {@code rediss://} TLS come from the URI; short timeouts keep a page request from hanging. */
  static RedisClient redisClient(URI url) {
    return RedisClient.builder()
        .clientConfig(DefaultJedisClientConfig.builder().timeoutMillis(2_000).build())
        .fromURI(url)
        .build();
  }

  /**
   * A password Redis refuses will not start working on a retry: stop now with a message naming
   * REDIS_URL (never the password). An unreachable Redis is an outage the app rides out (503 until it
   * returns), so that only logs.
   */
  static void refuseRejectedRedisCredentials(RedisClient redis, URI url) {
    RuntimeException down =
        CredentialCheck.ping("REDIS_URL", url.toString(), redis::ping, Redact::redisRefusal);
    if (down != null) {
      log.warn("Redis at {} does not answer yet ({}); serving 503 until it does", Redact.uri(url.toString()), down.toString());
    }
  }

  private static String mongoRefusal(RuntimeException e) {
    return e.getCause() != null ? e.getCause().getMessage() : "authentication failed";
  }

  /** The same for MONGO_URI: refused credentials stop the start, an unreachable MongoDB only logs. */
  static void refuseRejectedMongoCredentials(MongoClient mongo, String uri) {
    RuntimeException down =
        CredentialCheck.ping(
            "MONGO_URI",
            uri,
            () -> mongo.getDatabase(MongoNames.DATABASE).runCommand(new Document("ping", 1)),
            e -> e instanceof MongoSecurityException ? mongoRefusal(e) : null);
    if (down != null) {
      log.warn("MongoDB at {} does not answer yet ({}); serving 503 until it does", Redact.uri(uri), down.toString());
    }
  }

  /** Settings in the URI win; without them a dead MongoDB fails a request in 2 s, not the driver's 30 s. */
  static MongoClient mongoClient(String uri) {
    MongoClientSettings settings =
        MongoClientSettings.builder()
            .applicationName(WebConfig.SERVICE)
            .applyToClusterSettings(b -> b.serverSelectionTimeout(2, TimeUnit.SECONDS))
            .applyToSocketSettings(
                b -> b.connectTimeout(2, TimeUnit.SECONDS).readTimeout(5, TimeUnit.SECONDS))
            .applyConnectionString(new ConnectionString(uri))
            .build();
    return MongoClients.create(settings);
  }

  /** The running web app: the bound HTTP port, and close() stopping everything in reverse start order. */
  public static final class Running implements AutoCloseable {
    private final int httpPort;
    private final int opsPort;
    private final Closer started;

    private Running(int httpPort, int opsPort, Closer started) {
      this.httpPort = httpPort;
      this.opsPort = opsPort;
      this.started = started;
    }

    public int httpPort() {
      return httpPort;
    }

    /** Where /healthz, /readyz and /metrics are served: OPS_PORT's bound port, or the HTTP port without it. */
    public int opsPort() {
      return opsPort;
    }

    @Override
    public void close() {
      started.close();
    }
  }
}
