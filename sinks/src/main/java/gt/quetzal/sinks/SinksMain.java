package gt.quetzal.sinks;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/** Wires the sinks: config → Redis/Mongo clients → two sink loops → HTTP probes. */
public final class SinksMain {

  private static final Logger log = LoggerFactory.getLogger(SinksMain.class);

  /** How long an idle poll blocks; also bounds how quickly a shutdown is noticed without wakeup(). */
  static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

  private SinksMain() {}

  public static void main(String[] args) {
    SinksConfig config = SinksConfig.fromEnv(System.getenv());
    AutoCloseable running = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(running), "shutdown"));
  }

  /** Starts everything (clients → sink loops → HTTP) and returns one handle closing in reverse order. */
  public static Running start(SinksConfig config) {
    log.info("starting {} with {}", SinksConfig.SERVICE, config);
    Deque<AutoCloseable> started = new ArrayDeque<>();
    try {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      started.push(registry::close);
      new JvmMemoryMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);

      RedisClient redis = redisClient(config.redisUrl());
      started.push(redis);
      MongoClient mongo = mongoClient(config.mongoUri(), SinksConfig.SERVICE);
      started.push(mongo);

      SinkLoop<String, Long> tallies =
          new SinkLoop<>(
              consumer(config, Topics.TALLIES_BANDS, config.redisGroupId(), config.redisBatchSize()),
              Topics.TALLIES_BANDS.name(),
              new RedisTallySink(redis, System::currentTimeMillis),
              new Backoff(config.backoffMin(), config.backoffMax()),
              POLL_TIMEOUT,
              registry);
      tallies.start();
      started.push(tallies);

      SinkLoop<String, VoteEvent> votes =
          new SinkLoop<>(
              consumer(config, Topics.VOTES_ACCEPTED, config.mongoGroupId(), config.mongoBatchSize()),
              Topics.VOTES_ACCEPTED.name(),
              new MongoVoteSink(
                  mongo.getDatabase(MongoNames.DATABASE), config.writeConcern(), registry),
              new Backoff(config.backoffMin(), config.backoffMax()),
              POLL_TIMEOUT,
              registry);
      votes.start();
      started.push(votes);

      Javalin http = new SinksHttp(registry, List.of(tallies, votes)).create().start(config.httpPort());
      started.push(http::stop);
      log.info("{} serving /healthz /readyz /metrics on port {}", SinksConfig.SERVICE, http.port());
      return new Running(http.port(), started);
    } catch (RuntimeException | Error e) {
      closeAll(started);
      throw e;
    }
  }

  static <V> KafkaConsumer<String, V> consumer(
      SinksConfig config, Topic<String, V> topic, String groupId, int maxPollRecords) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    // Offsets move only after the store acknowledged (SinkLoop commits explicitly).
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // The streams app writes transactionally: never mirror an aborted or still-open transaction.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A new group mirrors the whole log; that is what makes "replay from 0" the recovery story.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    return new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  /** Credentials, database and {@code rediss://} TLS all come from the URI. */
  static RedisClient redisClient(URI url) {
    return RedisClient.builder()
        // Short timeouts: a dead Redis must fail a write quickly so the loop backs off instead of hanging.
        .clientConfig(DefaultJedisClientConfig.builder().timeoutMillis(2_000).build())
        .fromURI(url)
        .build();
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

  static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("error while stopping", e);
    }
  }

  private static void closeAll(Deque<AutoCloseable> started) {
    while (!started.isEmpty()) {
      closeQuietly(started.pop());
    }
  }

  /** The running sinks: the bound HTTP port, and close() stopping everything in reverse start order. */
  public static final class Running implements AutoCloseable {
    private final int httpPort;
    private final Deque<AutoCloseable> started;

    private Running(int httpPort, Deque<AutoCloseable> started) {
      this.httpPort = httpPort;
      this.started = started;
    }

    public int httpPort() {
      return httpPort;
    }

    @Override
    public synchronized void close() {
      closeAll(started);
    }
  }
}
