package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.contract.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three in-process KRaft nodes: replication as in prod, and one node lost without losing a write. */
class KafkaClusterIT {

  @TempDir Path dir;

  @Test
  void threeNodesReplicateEveryTopicAndSurviveTheLossOfTheLeader() throws Exception {
    try (KafkaCluster cluster = KafkaCluster.start(dir, 3, 0, 0)) {
      assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
      assertThat(cluster.replicationFactor()).isEqualTo((short) 3);
      TopicSetup.createAll(cluster.bootstrapServers(), cluster.replicationFactor());

      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
        TopicDescription raw = admin.describeTopics(List.of(Topics.VOTES_RAW.name())).allTopicNames().get()
            .get(Topics.VOTES_RAW.name());
        assertThat(raw.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, Topics.VOTES_RAW.name());
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");

        List<RecordMetadata> acknowledged = new ArrayList<>();
        try (KafkaProducer<String, Long> producer =
            KafkaTestClients.producer(cluster.bootstrapServers(), Topics.TALLIES_BANDS, Map.of())) {
          for (int i = 0; i < 20; i++) {
            acknowledged.add(producer.send(new ProducerRecord<>(Topics.TALLIES_BANDS.name(), "band-" + i, (long) i))
                .get(30, TimeUnit.SECONDS));
          }
          TopicPartitionInfo first = admin.describeTopics(List.of(Topics.TALLIES_BANDS.name())).allTopicNames().get()
              .get(Topics.TALLIES_BANDS.name()).partitions().get(0);
          int leader = first.leader().id();
          cluster.halt(leader - 1);

          await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            TopicPartitionInfo now = admin.describeTopics(List.of(Topics.TALLIES_BANDS.name())).allTopicNames().get()
                .get(Topics.TALLIES_BANDS.name()).partitions().get(0);
            assertThat(now.leader()).isNotNull();
            assertThat(now.leader().id()).isNotEqualTo(leader);
          });
          // Two of three replicas are still in sync, so acks=all writes go on.
          for (int i = 20; i < 40; i++) {
            acknowledged.add(producer.send(new ProducerRecord<>(Topics.TALLIES_BANDS.name(), "band-" + i, (long) i))
                .get(30, TimeUnit.SECONDS));
          }
          cluster.restart(leader - 1);
        }
        List<String> keys = KafkaTestClients.readAll(cluster.bootstrapServers(), Topics.TALLIES_BANDS, acknowledged.size())
            .stream().map(record -> record.key() + "=" + record.value()).sorted().toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          expected.add("band-" + i + "=" + i);
        }
        assertThat(keys).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(admin.describeCluster().nodes().get()).hasSize(3);
      }
    }
  }
}
