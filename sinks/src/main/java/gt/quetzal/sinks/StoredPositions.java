package gt.quetzal.sinks;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What a sink loop knows its store holds: per owned partition, the offset before which the store
 * acknowledged every record. It starts at the partition's committed offset (the loop commits only
 * what the store acknowledged) and moves with each acknowledged batch.
 * A store that comes back holding less (Redis after losing the last second of its append-only file)
 * is caught against it, and the loop reads the lost records again.
 */
final class StoredPositions {

  private final Map<TopicPartition, Long> held = new HashMap<>();
  private final Set<TopicPartition> unknown = new HashSet<>();

  /** Newly owned: what the store holds is learnt from the committed offsets, outside the rebalance. */
  void assigned(Collection<TopicPartition> partitions) {
    unknown.addAll(partitions);
  }

  Set<TopicPartition> unknown() {
    return Set.copyOf(unknown);
  }

  /** The committed offsets of partitions {@link #unknown()} was asked for ({@code null}: none yet, so 0). */
  void committed(Map<TopicPartition, OffsetAndMetadata> committed, Set<TopicPartition> asked) {
    for (TopicPartition partition : asked) {
      if (unknown.remove(partition)) {
        OffsetAndMetadata offset = committed.get(partition);
        held.put(partition, offset == null ? 0 : offset.offset());
      }
    }
  }

  void revoked(Collection<TopicPartition> partitions) {
    partitions.forEach(held::remove);
    unknown.removeAll(partitions);
  }

  Map<TopicPartition, Long> snapshot() {
    return Map.copyOf(held);
  }

  /** The store acknowledged {@code batch}. */
  <K, V> void acknowledged(List<ConsumerRecord<K, V>> batch) {
    for (ConsumerRecord<K, V> record : batch) {
      held.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
    }
  }

  /**
   * The store lost records: where to read each partition of {@code batch} again from. A lost
   * partition from where the store still holds it, the others from their first record in the batch,
   * so the whole batch is read again and written once the store is whole.
   */
  <K, V> Map<TopicPartition, Long> rewind(List<ConsumerRecord<K, V>> batch, Map<TopicPartition, Long> lost) {
    Map<TopicPartition, Long> seek = new LinkedHashMap<>();
    for (ConsumerRecord<K, V> record : batch) {
      seek.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
    }
    seek.putAll(lost);
    lost.forEach(held::put);
    return seek;
  }
}
