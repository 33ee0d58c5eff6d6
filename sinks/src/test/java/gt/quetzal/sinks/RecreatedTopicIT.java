package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.devstack.TopicSetup;
import gt.quetzal.devstack.TopicSpec;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * A topic deleted and created again under its name starts its offsets over: the sinks record each
 * topic's id in their store and refuse to mirror another incarnation, failing liveness and naming it.
 */
class RecreatedTopicIT {

  @Test
  void bothStoresRecordTheTopicIdsAndTheRedisSinkRefusesARecreatedTallyTopic() throws Exception {
    try (Devstack stack = Devstack.startEphemeral();
        RedisClient redis = RedisClient.create(URI.create(stack.redisUrl()));
        MongoClient mongo = MongoClients.create(stack.mongoUri());
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      SinksConfig config = ItSupport.config(stack.bootstrapServers(), stack.redisUrl(), stack.mongoUri());
      try (SinksMain.Running sinks = SinksMain.start(config)) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(redis.hgetAll(RedisKeys.SINK_TOPICS)).containsOnlyKeys(RedisTallySink.topicNames());
          assertThat(mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.SINK_TOPICS).countDocuments())
              .isEqualTo(MongoVoteSink.topicNames().size());
        });
        assertThat(ItSupport.get(sinks.httpPort(), "/healthz").status()).isEqualTo(200);
      }
      String before = redis.hget(RedisKeys.SINK_TOPICS, Topics.TALLIES_STATS.name());

      admin.deleteTopics(List.of(Topics.TALLIES_STATS.name())).all().get();
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
        TopicSetup.createAll(admin, List.of(TopicSpec.compacted(Topics.TALLIES_STATS, 1)), (short) 1);
        assertThat(admin.describeTopics(List.of(Topics.TALLIES_STATS.name())).allTopicNames().get()
            .get(Topics.TALLIES_STATS.name()).topicId().toString()).isNotEqualTo(before);
      });

      try (SinksMain.Running sinks = SinksMain.start(config)) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          ItSupport.HttpResult health = ItSupport.get(sinks.httpPort(), "/healthz");
          assertThat(health.status()).isEqualTo(503);
          assertThat(health.body()).contains("redis sink loop crashed").doesNotContain("mongo sink loop crashed");
        });
      }
      assertThat(redis.hget(RedisKeys.SINK_TOPICS, Topics.TALLIES_STATS.name())).as("the old id stays").isEqualTo(before);
    }
  }
}
