package gt.quetzal.devstack;

import static org.awaitility.Awaitility.await;

import gt.quetzal.contract.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/** Small helpers the ITs share: a durable send and reading back the record at a known offset. */
final class KafkaTestClients {

  private KafkaTestClients() {}

  static <K, V> KafkaProducer<K, V> producer(String bootstrap, Topic<K, V> topic, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000));
    config.putAll(extra);
    return new KafkaProducer<>(config, topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  /** Sends with acks=all and idempotence and waits for the broker's acknowledgement. */
  static <K, V> RecordMetadata sendDurably(String bootstrap, Topic<K, V> topic, K key, V value) throws Exception {
    try (KafkaProducer<K, V> producer = producer(bootstrap, topic, Map.of())) {
      return producer.send(new ProducerRecord<>(topic.name(), key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  /** Reads the record at {@code metadata}'s partition and offset. */
  static <K, V> ConsumerRecord<K, V> readAt(
      String bootstrap, Topic<K, V> topic, RecordMetadata metadata, String isolationLevel) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    TopicPartition partition = new TopicPartition(metadata.topic(), metadata.partition());
    try (KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, metadata.offset());
      List<ConsumerRecord<K, V>> seen = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return !seen.isEmpty();
      });
      return seen.get(0);
    }
  }

  /** Reads {@code topic} from the beginning (read_committed) until {@code count} records arrived. */
  static <K, V> List<ConsumerRecord<K, V>> readAll(String bootstrap, Topic<K, V> topic, int count) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<K, V>> seen = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return seen.size() >= count;
      });
      consumer.poll(Duration.ofMillis(200)).forEach(seen::add); // one more poll: a duplicate would show here
      return seen;
    }
  }
}
