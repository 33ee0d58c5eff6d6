package gt.quetzal.sinks;

import gt.quetzal.contract.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads raw records with their topic's contract serdes. A sink loop consumes several topics with one
 * consumer, so it polls bytes and each writer decodes per topic here. A record that cannot be read can
 * never be written: it is skipped, loudly, and counted on the same meter as the loop's own skips.
 */
final class RecordDecoder {

  private static final Logger log = LoggerFactory.getLogger(RecordDecoder.class);

  private final String store;
  private final Counter skipped;

  RecordDecoder(String store, MeterRegistry registry) {
    this.store = store;
    // Same name and tags as SinkLoop's counter: Micrometer hands back the one meter.
    this.skipped =
        Counter.builder("quetzal.sink.records.skipped")
            .description("Records that could not be deserialized and were skipped")
            .tag("store", store)
            .register(registry);
  }

  /** The typed record (a tombstone keeps its {@code null} value), or empty when it cannot be read. */
  <K, V> Optional<ConsumerRecord<K, V>> decode(Topic<K, V> topic, ConsumerRecord<byte[], byte[]> raw) {
    try {
      K key = topic.keySerde().deserializer().deserialize(raw.topic(), raw.headers(), raw.key());
      V value = topic.valueSerde().deserializer().deserialize(raw.topic(), raw.headers(), raw.value());
      return Optional.of(
          new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), key, value));
    } catch (RuntimeException e) {
      skip(raw, e.toString());
      return Optional.empty();
    }
  }

  /** Skips a record that was read but cannot be mirrored (for instance, no key to name it by). */
  void skip(ConsumerRecord<?, ?> raw, String why) {
    skipped.increment();
    log.error("{} sink skips unreadable record {}-{}@{}: {}", store, raw.topic(), raw.partition(), raw.offset(), why);
  }
}
