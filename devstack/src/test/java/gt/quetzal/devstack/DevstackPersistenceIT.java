package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

class DevstackPersistenceIT {

  @TempDir Path home;

  @Test
  void secondStartOnTheSameHomeKeepsKafkaRedisAndMongoData() throws Exception {
    DevstackConfig config = new DevstackConfig(home, 0, 0, 0, 0, null);
    VoteEvent vote = new VoteEvent("vote-persist-1", "Tijuana No", "Transgresores de la ley", 1994, 77,
        "voter-9", VoteEvent.CHANNEL_GRPC, System.currentTimeMillis());

    RecordMetadata sent;
    int kafkaPort;
    int redisPort;
    int mongoPort;
    RedisServer firstRedis;
    try (Devstack stack = Devstack.start(config)) {
      sent = KafkaTestClients.sendDurably(stack.bootstrapServers(), Topics.VOTES_ACCEPTED, vote.voteId(), vote);
      try (Jedis jedis = new Jedis(URI.create(stack.redisUrl()))) {
        jedis.hset("devstack:persist", "Tijuana No", "77");
      }
      try (MongoClient client = MongoClients.create(stack.mongoUri())) {
        votes(client).insertOne(new Document("_id", vote.voteId()).append("name", vote.name()));
      }
      kafkaPort = stack.kafkaBroker().brokerPort();
      redisPort = stack.redisServer().port();
      mongoPort = stack.mongoStandIn().orElseThrow().port();
      firstRedis = stack.redisServer();
    }

    // Everything is really stopped: no child process, no listener, and Kafka marked its logs clean.
    assertThat(firstRedis.isAlive()).isFalse();
    assertThat(Ports.isFree(kafkaPort)).as("Kafka port free").isTrue();
    assertThat(Ports.isFree(redisPort)).as("Redis port free").isTrue();
    assertThat(Ports.isFree(mongoPort)).as("Mongo port free").isTrue();
    assertThat(home.resolve("kafka/logs/.kafka_cleanshutdown")).exists();
    assertThat(home.resolve("kafka/logs/meta.properties")).exists();

    // Ports 0 again: the second run gets new ports and must still find the same data.
    try (Devstack stack = Devstack.start(config)) {
      ConsumerRecord<String, VoteEvent> read =
          KafkaTestClients.readAt(stack.bootstrapServers(), Topics.VOTES_ACCEPTED, sent, "read_uncommitted");
      assertThat(read.value()).isEqualTo(vote);
      try (Jedis jedis = new Jedis(URI.create(stack.redisUrl()))) {
        assertThat(jedis.hget("devstack:persist", "Tijuana No")).isEqualTo("77");
      }
      try (MongoClient client = MongoClients.create(stack.mongoUri())) {
        Document doc = votes(client).find(Filters.eq("_id", vote.voteId())).first();
        assertThat(doc).isNotNull();
        assertThat(doc.getString("name")).isEqualTo("Tijuana No");
      }
    }
  }

  @Test
  void thePartitionCountIsChosenAtTheFirstStartAndThenKept() throws Exception {
    try (Devstack stack = Devstack.start(new DevstackConfig(home, 0, 0, 0, 0, null, 1, 12))) {
      assertThat(stack.partitions()).isEqualTo(12);
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        Map<String, Integer> counts = TopicSetup.partitionCounts(admin, TopicSetup.PLAN.stream().map(TopicSpec::name).toList());
        TopicSetup.PLAN.forEach(spec -> assertThat(counts.get(spec.name())).as(spec.name())
            .isEqualTo(TopicSetup.SCALED.contains(spec.name()) ? 12 : 1));
      }
    }
    // Asked for no count, a later start keeps the one the topics were created with.
    try (Devstack stack = Devstack.start(new DevstackConfig(home, 0, 0, 0, 0, null))) {
      assertThat(stack.partitions()).isEqualTo(12);
    }
    // Asked for another, it refuses to start, saying what the stack has and the ways on.
    DevstackConfig three = new DevstackConfig(home, 0, 0, 0, 0, null, 1, 3);
    assertThatThrownBy(() -> Devstack.start(three).close())
        .isInstanceOfSatisfying(TopicSetup.PartitionCountException.class, e -> {
          assertThat(e.created()).isEqualTo(12);
          assertThat(DevstackMain.otherPartitions(e, three))
              .contains("votes.raw has 12 partitions, not 3")
              .contains("./quetzal up --partitions 12 (or without --partitions)")
              .contains("./quetzal clean (deletes the votes in " + home + "), then ./quetzal up --partitions 3");
        });
    // Kafka was stopped on the way out: the same home starts again.
    try (Devstack stack = Devstack.start(new DevstackConfig(home, 0, 0, 0, 0, null))) {
      assertThat(stack.partitions()).isEqualTo(12);
    }
  }

  private static MongoCollection<Document> votes(MongoClient client) {
    return client.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES);
  }
}
