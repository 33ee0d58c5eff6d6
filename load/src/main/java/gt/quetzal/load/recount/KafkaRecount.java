package gt.quetzal.load.recount;

import gt.quetzal.contract.Stats;
import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Recounts from the vote log in Kafka: {@code votes.accepted} for every accepted-vote aggregate,
 * {@code votes.rejected} for the rejections, and the size of {@code votes.raw} for the duplicates
 * (every raw record gets exactly one verdict, and a duplicate is the only verdict written nowhere).
 * Reads with {@code read_committed} from offset 0 with no consumer group: nothing is committed and
 * nothing in the cluster changes. Each {@link #recount()} reads on from where the last one stopped
 * to each partition's end now, so a recount repeated while the pipeline settles reads every record
 * once.
 */
public final class KafkaRecount implements AutoCloseable {

  /** What was read, and any partition that no longer starts at offset 0, which makes the count partial. */
  public record Result(Aggregates aggregates, List<String> gaps) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Duration stallTimeout;
  private final Aggregates.Builder builder = new Aggregates.Builder();
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  private final List<String> gaps = new ArrayList<>();
  private long raw;

  /**
   * @param clientConfig bootstrap servers and any security settings
   * @param stallTimeout how long a read may go without progress before it fails
   */
  public KafkaRecount(Map<String, Object> clientConfig, Duration stallTimeout) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumer = new KafkaConsumer<>(config);
    this.stallTimeout = stallTimeout;
  }

  /** Everything read so far, after reading each topic on to its end now. */
  public Result recount() {
    read(Topics.VOTES_ACCEPTED, record -> {
      VoteEvent vote = value(Topics.VOTES_ACCEPTED, record);
      builder.accepted(vote.name(), vote.album(), vote.rank(), record.timestamp());
    });
    read(Topics.VOTES_REJECTED, record -> builder.rejected(value(Topics.VOTES_REJECTED, record).reason()));
    read(Topics.VOTES_RAW, record -> raw++);
    Aggregates counted = builder.build();
    SortedMap<String, Long> stats = new TreeMap<>(counted.stats());
    stats.put(Stats.DUPLICATES, raw - builder.stat(Stats.ACCEPTED) - builder.stat(Stats.REJECTED));
    return new Result(new Aggregates(counted.bands(), counted.albums(), counted.minutes(), stats), List.copyOf(gaps));
  }

  @Override
  public void close() {
    consumer.close();
  }

  private static <V> V value(Topic<?, V> topic, ConsumerRecord<byte[], byte[]> record) {
    return topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
  }

  private void read(Topic<?, ?> topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), stallTimeout);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic.name() + " does not exist");
    }
    List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    consumer.assign(partitions);
    for (TopicPartition partition : partitions) {
      Long position = positions.get(partition);
      if (position == null) {
        long first = consumer.beginningOffsets(List.of(partition), stallTimeout).get(partition);
        if (first > 0) {
          gaps.add(partition + " starts at offset " + first + " (older records were deleted by retention)");
        }
        consumer.seek(partition, first);
      } else {
        consumer.seek(partition, position);
      }
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, stallTimeout);
    long lastProgress = System.nanoTime();
    while (!caughtUp(end)) {
      var records = consumer.poll(Duration.ofMillis(200));
      if (!records.isEmpty()) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
        throw new IllegalStateException(
            "reading " + topic.name() + " made no progress for " + stallTimeout + " (positions short of " + end + ")");
      }
      for (ConsumerRecord<byte[], byte[]> record : records) {
        // Records past the end seen at the start are left for the next recount.
        if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
          each.accept(record);
        }
      }
    }
    end.forEach(positions::put);
  }

  /** Positions move past transaction markers too, so "position reached the end" is the test. */
  private boolean caughtUp(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
