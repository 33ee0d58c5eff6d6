package gt.quetzal.sinks;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes one polled batch to a serving store. {@link SinkLoop} owns the consumer, the offsets and the
 * retries; a writer only has to be idempotent and to throw when the store did not acknowledge.
 */
public interface StoreWriter<K, V> {

  /** Short store name used in logs, metrics ({@code store} tag) and readiness reasons. */
  String store();

  /** One-time setup such as index creation. Retried with the same backoff as writes until it succeeds. */
  default void prepare() throws Exception {}

  /**
   * Writes the batch; returns only once the store acknowledged it. The batch is in poll order, so
   * records of one partition are in offset order. May be called again with the same records.
   */
  void write(List<ConsumerRecord<K, V>> batch) throws Exception;

  /**
   * Writes the batch, first checking that the store still holds what this loop wrote before: {@code
   * stored} gives, per partition, the offset before which it should hold every record. Returns the
   * partitions whose acknowledged records the store has lost, each with the offset to read it again
   * from; then nothing of the batch was written. A store that cannot lose acknowledged writes (MongoDB
   * with a majority write concern) keeps this default.
   */
  default Map<TopicPartition, Long> write(List<ConsumerRecord<K, V>> batch, Map<TopicPartition, Long> stored)
      throws Exception {
    write(batch);
    return Map.of();
  }

  /** Cheap reachability check, used while the loop is idle so readiness stays truthful. */
  void ping() throws Exception;

  /**
   * The idle check with the same promise as {@link #write(List, Map)}: the partitions whose
   * acknowledged records the store has lost, with the offset to read each again from. Without it a
   * store that came back short after the traffic stopped would stay short.
   */
  default Map<TopicPartition, Long> check(Map<TopicPartition, Long> stored) throws Exception {
    ping();
    return Map.of();
  }
}
