package gt.quetzal.sinks;

import com.mongodb.client.MongoClient;
import gt.quetzal.contract.ContestFollower;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.kit.Closer;
import gt.quetzal.kit.MongoStore;
import gt.quetzal.kit.RedisStore;
import gt.quetzal.kit.RunningService;
import gt.quetzal.kit.ServiceMain;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/** Wires the sinks: config → Redis/Mongo clients → two sink loops (tallies → Redis, vote log → MongoDB) → HTTP probes. */
public final class SinksMain {

  private static final Logger log = LoggerFactory.getLogger(SinksMain.class);

  /** How long an idle poll blocks; also bounds how quickly a shutdown is noticed without wakeup(). */
  static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  /** A dead MongoDB fails a write in seconds, so the loop backs off instead of hanging for the driver's 30 s. */
  static final Duration MONGO_CONNECT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration MONGO_READ_TIMEOUT = Duration.ofSeconds(10);

  private SinksMain() {}

  public static void main(String[] args) {
    ServiceMain.run(SinksConfig::fromEnv, SinksMain::start);
  }

  /** Starts everything (clients → sink loops → HTTP) and returns one handle closing in reverse order. */
  public static Running start(SinksConfig config) {
    return ServiceMain.start(SinksConfig.SERVICE, config, (started, registry) -> {

      RedisClient redis = started.register(RedisStore.client(config.redisUrl(), SinksConfig.SERVICE));
      RedisStore.refuseRejectedCredentials(redis, config.redisUrl(), "the tallies wait for it");
      MongoClient mongo =
          started.register(
              MongoStore.client(config.mongoUri(), SinksConfig.SERVICE, MONGO_CONNECT_TIMEOUT, MONGO_READ_TIMEOUT));
      MongoStore.refuseRejectedCredentials(mongo, config.mongoUri(), MongoNames.DATABASE, "the vote log waits for it");

      // One loop per store, each reading all of its topics with one consumer: one write per poll. Each
      // store's setup also checks that it mirrors the topics Kafka has now (TopicIds).
      Admin admin =
          started.register(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers())));
      RedisTallySink redisSink = new RedisTallySink(redis, System::currentTimeMillis, config.timelineMaxMinutes(), registry);
      SinkLoop<byte[], byte[]> tallies =
          loop(config, config.redisGroupId(), config.redisGroupInstanceId(), config.redisBatchSize(),
              TopicIds.checked(redisSink, TopicIds.describing(admin, RedisTallySink.topicNames()),
                  redisSink::recordedTopicIds, redisSink::recordTopicIds),
              RedisTallySink.topicNames(), registry, started);
      MongoVoteSink mongoSink = new MongoVoteSink(mongo.getDatabase(MongoNames.DATABASE), config.writeConcern(), registry);
      SinkLoop<byte[], byte[]> votes =
          loop(config, config.mongoGroupId(), config.mongoGroupInstanceId(), config.mongoBatchSize(),
              TopicIds.checked(mongoSink, TopicIds.describing(admin, MongoVoteSink.topicNames()),
                  mongoSink::recordedTopicIds, mongoSink::recordTopicIds),
              MongoVoteSink.topicNames(), registry, started);

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
    });
  }

  /** One store's loop, started: its own consumer group (with lag metrics) writing through {@code writer}. */
  private static SinkLoop<byte[], byte[]> loop(
      SinksConfig config, String groupId, String groupInstanceId, int batchSize,
      StoreWriter<byte[], byte[]> writer, List<String> topics, PrometheusMeterRegistry registry, Closer started) {
    KafkaConsumer<byte[], byte[]> consumer =
        withLagMetrics(consumer(config, groupId, groupInstanceId, batchSize), groupId, registry, started);
    SinkLoop<byte[], byte[]> loop =
        new SinkLoop<>(consumer, topics, writer, new Backoff(config.backoffMin(), config.backoffMax()), POLL_TIMEOUT, registry);
    loop.start();
    return started.register(loop);
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

  /** The running sinks: the bound HTTP port, and close() stopping everything in reverse start order. */
  public record Running(int httpPort, Closer started) implements RunningService {}
}
