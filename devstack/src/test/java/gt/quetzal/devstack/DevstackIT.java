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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

class DevstackIT {

  private static Devstack stack;

  @BeforeAll
  static void start() {
    stack = Devstack.startEphemeral();
  }

  @AfterAll
  static void stop() {
    Path home = stack.home();
    RedisServer redis = stack.redisServer();
    stack.close();
    assertThat(redis.isAlive()).as("redis-server child still running").isFalse();
    assertThat(home).as("ephemeral home").doesNotExist();
  }

  @Test
  void addressesUseLocalhostAndFreePorts() {
    assertThat(stack.bootstrapServers()).matches("localhost:\\d+");
    assertThat(stack.redisUrl()).matches("redis://localhost:\\d+");
    assertThat(stack.mongoUri()).matches("mongodb://localhost:\\d+");
    assertThat(stack.kafkaBroker().brokerPort()).isNotEqualTo(9092);
    assertThat(stack.mongoStandIn()).hasValueSatisfying(m -> assertThat(m.isPersistent()).isFalse());
  }

  @Test
  void topicsExistWithThePlannedLayout() throws Exception {
    List<String> names = List.of("votes.raw", "votes.accepted", "votes.rejected", "tallies.bands");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      Map<String, TopicDescription> topics =
          admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      Map<String, Integer> partitions = topics.values().stream()
          .collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size()));
      assertThat(partitions).containsExactlyInAnyOrderEntriesOf(Map.of(
          "votes.raw", 3, "votes.accepted", 3, "votes.rejected", 1, "tallies.bands", 3));

      ConfigResource tallies = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TALLIES_BANDS.name());
      ConfigResource raw = new ConfigResource(ConfigResource.Type.TOPIC, Topics.VOTES_RAW.name());
      Map<ConfigResource, Config> configs =
          admin.describeConfigs(List.of(tallies, raw)).all().get(30, TimeUnit.SECONDS);
      assertThat(configs.get(tallies).get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(configs.get(raw).get("cleanup.policy").value()).isEqualTo("delete");
    }
  }

  @Test
  void topicSetupAddsNewTopicsAndRefusesAnotherPartitionCountBeforeCreatingAnything() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      assertThat(TopicSetup.createAll(admin, TopicSetup.PLAN, (short) 1)).isZero();
      assertThat(TopicSetup.createAll(admin, List.of(new TopicSpec("devstack.it.extra", 2, Map.of())), (short) 1))
          .isEqualTo(1);

      List<TopicSpec> regrown = List.of(
          new TopicSpec("devstack.it.other", 2, Map.of()),
          new TopicSpec(Topics.VOTES_RAW.name(), 6, Map.of()));
      assertThatThrownBy(() -> TopicSetup.createAll(admin, regrown, (short) 1))
          .isInstanceOfSatisfying(TopicSetup.PartitionCountException.class, e -> assertThat(e.created()).isEqualTo(3))
          .hasMessageContaining("votes.raw has 3 partitions, not 6");

      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .contains("devstack.it.extra").doesNotContain("devstack.it.other");
      assertThat(admin.describeTopics(List.of(Topics.VOTES_RAW.name())).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(Topics.VOTES_RAW.name()).partitions()).hasSize(3);
    }
  }

  @Test
  void producesWithAcksAllAndConsumesTheVote() throws Exception {
    VoteEvent vote = new VoteEvent(UUID.randomUUID().toString(), "Malacates Trébol Shop", "Niño Zombie",
        2006, 87, null, VoteEvent.CHANNEL_HTTP, System.currentTimeMillis());

    RecordMetadata sent =
        KafkaTestClients.sendDurably(stack.bootstrapServers(), Topics.VOTES_RAW, vote.voteId(), vote);
    ConsumerRecord<String, VoteEvent> read =
        KafkaTestClients.readAt(stack.bootstrapServers(), Topics.VOTES_RAW, sent, "read_uncommitted");

    assertThat(read.key()).isEqualTo(vote.voteId());
    assertThat(read.value()).isEqualTo(vote);
  }

  @Test
  void votesRawIsStampedByTheBrokerNotByTheProducersClock() throws Exception {
    long fiveMinutesFast = System.currentTimeMillis() + 300_000;
    VoteEvent vote = new VoteEvent(UUID.randomUUID().toString(), "Alux Nahual", "Alux Nahual",
        1985, 90, null, VoteEvent.CHANNEL_HTTP, fiveMinutesFast);
    RecordMetadata sent;
    try (KafkaProducer<String, VoteEvent> producer =
        KafkaTestClients.producer(stack.bootstrapServers(), Topics.VOTES_RAW, Map.of())) {
      long before = System.currentTimeMillis();
      sent = producer.send(new ProducerRecord<>(Topics.VOTES_RAW.name(), null, fiveMinutesFast, vote.voteId(), vote))
          .get(30, TimeUnit.SECONDS);
      ConsumerRecord<String, VoteEvent> read =
          KafkaTestClients.readAt(stack.bootstrapServers(), Topics.VOTES_RAW, sent, "read_uncommitted");
      assertThat(read.timestamp()).isBetween(before, System.currentTimeMillis());
      assertThat(read.value().receivedAt()).as("the producer's stamp stays in the value").isEqualTo(fiveMinutesFast);
    }
  }

  @Test
  void transactionalProducerCommits() throws Exception {
    String band = "Alux Nahual " + UUID.randomUUID();
    RecordMetadata sent;
    try (KafkaProducer<String, Long> producer = KafkaTestClients.producer(stack.bootstrapServers(),
        Topics.TALLIES_BANDS, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "devstack-it-" + UUID.randomUUID()))) {
      producer.initTransactions();
      producer.beginTransaction();
      sent = producer.send(new ProducerRecord<>(Topics.TALLIES_BANDS.name(), band, 42L)).get(30, TimeUnit.SECONDS);
      producer.commitTransaction();
    }

    // read_committed only returns the record once the commit marker is written.
    ConsumerRecord<String, Long> read =
        KafkaTestClients.readAt(stack.bootstrapServers(), Topics.TALLIES_BANDS, sent, "read_committed");
    assertThat(read.key()).isEqualTo(band);
    assertThat(read.value()).isEqualTo(42L);
  }

  @Test
  void redisSetsAndGets() {
    try (Jedis jedis = new Jedis(URI.create(stack.redisUrl()))) {
      jedis.set("devstack:it", "Bohemia Suburbana");
      assertThat(jedis.get("devstack:it")).isEqualTo("Bohemia Suburbana");
      // Ephemeral Redis keeps nothing on disk.
      assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "no");
    }
  }

  @Test
  void mongoStandInStoresAndFinds() {
    try (MongoClient client = MongoClients.create(stack.mongoUri())) {
      MongoCollection<Document> votes = client.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES);
      votes.insertOne(new Document("_id", "vote-1").append("name", "Viernes Verde").append("rank", 90));

      Document found = votes.find(Filters.eq("_id", "vote-1")).first();
      assertThat(found).isNotNull();
      assertThat(found.getString("name")).isEqualTo("Viernes Verde");
      assertThat(found.getInteger("rank")).isEqualTo(90);
      assertThat(client.getDatabase(MongoNames.DATABASE).listCollectionNames().into(new ArrayList<>()))
          .contains(MongoNames.VOTES);
    }
  }
}
