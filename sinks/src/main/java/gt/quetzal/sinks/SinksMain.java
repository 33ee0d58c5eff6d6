package gt.quetzal.sinks;

import com.mongodb.ConnectionString;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import gt.quetzal.kit.Closer;
import gt.quetzal.contract.ContestFollower;
import gt.quetzal.kit.CredentialCheck;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.kit.Redact;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.JedisURIHelper;

/** Wires the sinks: config → Redis/Mongo clients → two sink loops (tallies → Redis, vote log → MongoDB) → HTTP probes. */
public final class SinksMain {

  private static final Logger log = LoggerFactory.getLogger(SinksMain.class);

  /** How long an idle poll blocks; also bounds how quickly a shutdown is noticed without wakeup(). */
  static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

  private SinksMain() {}

  public static void main(String[] args) {
    SinksConfig config = SinksConfig.fromEnv(System.getenv());
    AutoCloseable running = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> Closer.closeQuietly(running), "shutdown"));
  }

  /** Starts everything (clients → sink loops → HTTP) and returns one handle closing in reverse order. */
  public static Running start(SinksConfig config) {
    log.info("starting {} with {}", SinksConfig.SERVICE, config);
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
      MongoClient mongo = mongoClient(config.mongoUri(), SinksConfig.SERVICE);
      started.register(mongo);
      refuseRejectedMongoCredentials(mongo, config.mongoUri());

      // One loop per store, each reading all of its topics with one consumer: one write per poll.
      SinkLoop<byte[], byte[]> tallies =
          new SinkLoop<>(
              withLagMetrics(
                  consumer(config, config.redisGroupId(), config.redisGroupInstanceId(), config.redisBatchSize()),
                  config.redisGroupId(), registry, started),
              RedisTallySink.topicNames(),
              new RedisTallySink(redis, System::currentTimeMillis, config.timelineMaxMinutes(), registry),
              new Backoff(config.backoffMin(), config.backoffMax()),
              POLL_TIMEOUT,
              registry);
      tallies.start();
      started.register(tallies);

      SinkLoop<byte[], byte[]> votes =
          new SinkLoop<>(
              withLagMetrics(
                  consumer(config, config.mongoGroupId(), config.mongoGroupInstanceId(), config.mongoBatchSize()),
                  config.mongoGroupId(), registry, started),
              MongoVoteSink.topicNames(),
              new MongoVoteSink(mongo.getDatabase(MongoNames.DATABASE), config.writeConcern(), registry),
              new Backoff(config.backoffMin(), config.backoffMax()),
              POLL_TIMEOUT,
              registry);
      votes.start();
      started.register(votes);

      // Lists a catalog's bands at 0 before their first vote (see ContestSeeder).
      ContestSeeder seeder = started.register(new ContestSeeder(redis, config.backoffMax()));
      started.register(
          ContestFollower.start(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                  ConsumerConfig.CLIENT_ID_CONFIG, SinksConfig.SERVICE + "-contest"),
              seeder));

      Javalin http = new SinksHttp(registry, List.of(tallies, votes)).create().start(config.httpPort());
      started.register(http::stop);
      log.info("{} serving /healthz /readyz /metrics on port {}", SinksConfig.SERVICE, http.port());
      return new Running(http.port(), started);
    } catch (RuntimeException | Error e) {
      started.close();
      throw e;
    }
  }

  /**
   * The consumer's own metrics on /metrics (kafka_consumer_fetch_manager_records_lag_max and friends),
   * tagged with its group, so the operations dashboard shows lag per consumer group.
   */
  static KafkaConsumer<byte[], byte[]> withLagMetrics(
      KafkaConsumer<byte[], byte[]> consumer, String groupId, MeterRegistry registry, Closer started) {
    KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, Tags.of("group", groupId));
    metrics.bindTo(registry);
    started.register(metrics);
    return consumer;
  }

  /** Bytes in: the writers decode per topic with the contract serdes, and skip what they cannot read. */
  static KafkaConsumer<byte[], byte[]> consumer(
      SinksConfig config, String groupId, String groupInstanceId, int maxPollRecords) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    if (groupInstanceId != null) {
      // A restart under the same id takes its partitions back at once; the old member is fenced.
      props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
    }
    // Offsets move only after the store acknowledged (SinkLoop commits explicitly).
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // The streams app writes transactionally: never mirror an aborted or still-open transaction.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A new group mirrors the whole log; that is what makes "replay from 0" the recovery story.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static RedisClient redisClient(URI url) {
    return RedisClient.builder()
        .hostAndPort(redisHostAndPort(url))
        .clientConfig(redisClientConfig(url))
        .build();
  }

  /** {@code host:port} of the URL; 6379 when it names no port. */
  static HostAndPort redisHostAndPort(URI url) {
    return new HostAndPort(url.getHost(), url.getPort() < 0 ? 6379 : url.getPort());
  }

  /**
   * Credentials, database and TLS from the URL: {@code redis://:password@host} authenticates the default
   * user (requirepass), {@code redis://user:password@host} an ACL user, {@code /2} selects database 2, and
   * {@code rediss://} connects with TLS (the JVM's trust store verifies the server).
   */
  static DefaultJedisClientConfig redisClientConfig(URI url) {
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            // Short timeouts: a dead Redis must fail a write quickly so the loop backs off instead of hanging.
            .timeoutMillis(2_000)
            .clientName(SinksConfig.SERVICE)
            .ssl(JedisURIHelper.isRedisSSLScheme(url))
            .database(JedisURIHelper.getDBIndex(url));
    if (url.getUserInfo() != null) {
      config.user(JedisURIHelper.getUser(url)).password(JedisURIHelper.getPassword(url));
    }
    return config.build();
  }

  /**
   * A password Redis refuses will not start working on a retry: stop now with a message naming REDIS_URL
   * (never the password). An unreachable Redis is an outage the loop rides out with its backoff, so that
   * only logs.
   */
  static void refuseRejectedRedisCredentials(RedisClient redis, URI url) {
    RuntimeException down =
        CredentialCheck.ping("REDIS_URL", url.toString(), redis::ping, Redact::redisRefusal);
    if (down != null) {
      log.warn("Redis at {} does not answer yet ({}); the tallies wait for it", Redact.uri(url.toString()), down.toString());
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
      log.warn("MongoDB at {} does not answer yet ({}); the vote log waits for it", Redact.uri(uri), down.toString());
    }
  }

  /** Settings in the URI win; without them, fail fast (3 s) instead of the driver's 30 s default. */
  static MongoClient mongoClient(String uri, String applicationName) {
    MongoClientSettings settings =
        MongoClientSettings.builder()
            .applicationName(applicationName)
            .applyToClusterSettings(b -> b.serverSelectionTimeout(3, TimeUnit.SECONDS))
            .applyToSocketSettings(
                b -> b.connectTimeout(3, TimeUnit.SECONDS).readTimeout(10, TimeUnit.SECONDS))
            .applyConnectionString(new ConnectionString(uri))
            .build();
    return MongoClients.create(settings);
  }

  /** The running sinks: the bound HTTP port, and close() stopping everything in reverse start order. */
  public static final class Running implements AutoCloseable {
    private final int httpPort;
    private final Closer started;

    private Running(int httpPort, Closer started) {
      this.httpPort = httpPort;
      this.started = started;
    }

    public int httpPort() {
      return httpPort;
    }

    @Override
    public void close() {
      started.close();
    }
  }
}
