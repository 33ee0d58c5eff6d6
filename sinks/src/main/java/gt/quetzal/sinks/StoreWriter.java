package gt.quetzal.sinks;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

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

  /** Cheap reachability check, used while the loop is idle so readiness stays truthful. */
  void ping() throws Exception;
}
