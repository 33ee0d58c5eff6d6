package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.devstack.Devstack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Two sink replicas in one consumer group on the devstack (real Kafka, real Redis, the mongo-java-server
 * stand-in for MongoDB): a second replica joins mid-run, then the first leaves between two halves of a
 * run, forcing two rebalances while records flow. The result is exact, and the survivor committed
 * records of partitions the leaver owned before. Then a stale writer — a replica replaying records it polled
 * before losing them — tries to put older values back, and the guard refuses every one.
 */
class SinksRebalanceIT {

  @Test
  void twoReplicasWithARebalanceGiveTheExactMirrorAndAStaleWriterChangesNothing() throws Exception {
    try (Devstack stack = Devstack.startEphemeral();
        RedisClient redis = RedisClient.create(URI.create(stack.redisUrl()));
        MongoClient mongo = MongoClients.create(stack.mongoUri());
        Traffic traffic = new Traffic(stack.bootstrapServers())) {
      MongoDatabase db = mongo.getDatabase(MongoNames.DATABASE);
      String group = "replicas-" + UUID.randomUUID();
      SinksConfig config = ItSupport.config(stack.bootstrapServers(), stack.redisUrl(), stack.mongoUri(), group);
      int round = 0;
      int votes = 0;

      SinksMain.Running first = SinksMain.start(config);
      SinksMain.Running second = null;
      try {
        for (int i = 0; i < 10; i++, votes += 20) {
          traffic.tallyRound(++round);
          traffic.votes(votes, votes + 20);
        }
        traffic.flush();

        // A second replica joins while the first is busy: the group rebalances mid-stream.
        second = SinksMain.start(config);
        for (int i = 0; i < 10; i++, votes += 20) {
          traffic.tallyRound(++round);
          traffic.votes(votes, votes + 20);
          traffic.rejections(i * 3, i * 3 + 3);
        }
        traffic.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> members(stack, config.redisGroupId()) == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> members(stack, config.mongoGroupId()) == 2);

        // Who owns what while both run; the survivor keeps its member id through the next rebalance.
        Set<TopicPartition> all = tallyPartitions(stack);
        Map<String, Set<TopicPartition>> owners = settled(stack, config.redisGroupId(), 2, all);

        // The first replica leaves while records flow (half the rounds before, half after): its
        // partitions move to the second, which resumes from the last commit.
        for (int i = 0; i < 5; i++, votes += 20) {
          traffic.tallyRound(++round);
          traffic.votes(votes, votes + 20);
        }
        traffic.flush();
        first.close();
        Map<TopicPartition, Long> committedAtLeave = committed(stack, config.redisGroupId());
        for (int i = 0; i < 5; i++, votes += 20) {
          traffic.tallyRound(++round);
          traffic.votes(votes, votes + 20);
        }
        traffic.tombstones();
        traffic.flush();
        SinksMain.Running survivor = second;
        // The leave settles when the one member left owns every partition the two shared.
        Map<String, Set<TopicPartition>> after = settled(stack, config.redisGroupId(), 1, all);
        String survivorId = after.keySet().iterator().next();
        assertThat(owners).as("the survivor was a member before the leave").containsKey(survivorId);
        Set<TopicPartition> inherited = new HashSet<>(all);
        inherited.removeAll(owners.get(survivorId));
        assertThat(inherited).isNotEmpty();
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(() -> assertThat(ItSupport.redisState(redis, false, false)).isEqualTo(traffic.expectedRedis()));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    db.getCollection(MongoNames.VOTES).countDocuments() == traffic.voteCount()
                        && db.getCollection(MongoNames.REJECTED).countDocuments() == traffic.rejectionCount());
        traffic.assertMongo(db);
        assertThat(ItSupport.metric(survivor.httpPort(), "quetzal_sink_records_written_total{store=\"redis\"}"))
            .as("the survivor took over")
            .isPositive();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> ItSupport.committedRecords(stack.bootstrapServers(), config.redisGroupId()) == traffic.tallyRecords());
        // Only the survivor was left to commit after the leave: progress on a partition it did not own
        // before is records it wrote for the leaver.
        Map<TopicPartition, Long> committedAtEnd = committed(stack, config.redisGroupId());
        assertThat(inherited)
            .as("the survivor wrote and committed records of partitions it did not own before")
            .anySatisfy(tp -> assertThat(committedAtEnd.get(tp)).isGreaterThan(committedAtLeave.getOrDefault(tp, 0L)));
      } finally {
        first.close();
        if (second != null) {
          second.close();
        }
      }

      // A stale writer: every tally record from offset 0, written again through a sink of its own, as a
      // replica would that polled them, lost its partitions and wrote anyway. Nothing may change.
      Map<String, Object> before = ItSupport.redisState(redis, true, true);
      List<ConsumerRecord<byte[], byte[]>> old = allTallyRecords(stack);
      assertThat(old).hasSize(traffic.tallyRecords());
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      RedisTallySink stale = new RedisTallySink(redis, () -> Long.MAX_VALUE, Traffic.MAX_MINUTES, registry);
      // Oldest first, in small batches, like the polls it would have made.
      for (int from = 0; from < old.size(); from += 25) {
        stale.write(old.subList(from, Math.min(old.size(), from + 25)));
      }
      assertThat(registry.get("quetzal.sink.fields.written").counter().count()).isZero();
      assertThat(registry.get("quetzal.sink.guard.refused").counter().count()).isPositive();
      assertThat(ItSupport.redisState(redis, true, true)).as("no value went backwards, nor updatedAt").isEqualTo(before);
    }
  }

  /**
   * The assignment once the group has {@code size} members, each owning partitions, and (unless null)
   * owning exactly {@code partitions} between them.
   */
  private static Map<String, Set<TopicPartition>> settled(
      Devstack stack, String groupId, int size, Set<TopicPartition> partitions) {
    var owners = new java.util.concurrent.atomic.AtomicReference<Map<String, Set<TopicPartition>>>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              owners.set(assignments(stack, groupId));
              Set<TopicPartition> owned = new HashSet<>();
              owners.get().values().forEach(owned::addAll);
              return owners.get().size() == size
                  && owners.get().values().stream().noneMatch(Set::isEmpty)
                  && (partitions == null || owned.equals(partitions));
            });
    return owners.get();
  }

  /** Every partition of the tally topics the Redis sink reads. */
  private static Set<TopicPartition> tallyPartitions(Devstack stack) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      Set<TopicPartition> partitions = new HashSet<>();
      admin.describeTopics(RedisTallySink.topicNames()).allTopicNames().get().values()
          .forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
      return partitions;
    }
  }

  /** Each member's partitions, by member id. */
  private static Map<String, Set<TopicPartition>> assignments(Devstack stack, String groupId) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      Map<String, Set<TopicPartition>> owners = new HashMap<>();
      admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId).get().members()
          .forEach(m -> owners.put(m.consumerId(), new HashSet<>(m.assignment().topicPartitions())));
      return owners;
    }
  }

  /** The group's committed offset per partition. */
  private static Map<TopicPartition, Long> committed(Devstack stack, String groupId) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      Map<TopicPartition, Long> offsets = new HashMap<>();
      admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get()
          .forEach((tp, offset) -> offsets.put(tp, offset == null ? 0L : offset.offset()));
      return offsets;
    }
  }

  private static int members(Devstack stack, String groupId) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      return admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId).get().members().size();
    }
  }

  /** Every record of the tally topics from offset 0, as raw bytes, partition by partition. */
  private static List<ConsumerRecord<byte[], byte[]>> allTallyRecords(Devstack stack) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "stale-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(RedisTallySink.topicNames());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !consumer.assignment().isEmpty() && caughtUp(consumer);
              });
    }
    return records;
  }

  private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer) {
    var end = consumer.endOffsets(consumer.assignment());
    return consumer.assignment().stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
  }
}
