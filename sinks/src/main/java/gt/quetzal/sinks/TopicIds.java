package gt.quetzal.sinks;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The topics a store mirrors, by Kafka's topic id. The Redis guard versions and MongoDB's rejection
 * ids are offsets, which mean nothing in a topic deleted and created again under the same name: the
 * guard would refuse every new write, and new rejections would collide with old ids. So each store
 * records the ids it mirrors, and a sink refuses to run against a recreated topic, naming it.
 */
final class TopicIds {

  /** The store holds another incarnation of a topic; the sink stops rather than mirror it wrongly. */
  static final class RecreatedException extends RuntimeException {
    RecreatedException(String message) {
      super(message);
    }
  }

  private TopicIds() {}

  /** The topics' ids now, asked of the cluster once per call (a failure is retried by the loop). */
  static Supplier<Map<String, String>> describing(Admin admin, List<String> topics) {
    return () -> {
      try {
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
        Map<String, String> ids = new TreeMap<>();
        described.forEach((name, description) -> ids.put(name, description.topicId().toString()));
        return ids;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while describing " + topics, e);
      } catch (Exception e) {
        throw new IllegalStateException("cannot describe " + topics + ": " + e, e);
      }
    };
  }

  /**
   * Checks {@code current} against what {@code store} recorded; returns the ids it has not recorded
   * yet, to record.
   *
   * @throws RecreatedException naming every topic whose id changed, and what to do
   */
  static Map<String, String> unrecorded(String store, Map<String, String> recorded, Map<String, String> current) {
    Map<String, String> missing = new TreeMap<>();
    StringBuilder changed = new StringBuilder();
    current.forEach((topic, id) -> {
      String before = recorded.get(topic);
      if (before == null) {
        missing.put(topic, id);
      } else if (!before.equals(id)) {
        changed.append(changed.isEmpty() ? "" : "; ").append(topic).append(" is ").append(id)
            .append(", but ").append(store).append(" mirrors ").append(before);
      }
    });
    if (!changed.isEmpty()) {
      throw new RecreatedException(
          "a topic was deleted and created again (" + changed + "). Its offsets start over, so " + store
              + " cannot tell new records from old ones. Restore the old topic, or clear " + store
              + "'s Quetzal data (docs/reliability.md, 'Recreated topics') and start the sinks again.");
    }
    return missing;
  }

  /**
   * {@code writer}, whose one-time setup also checks the topics' ids against those {@code recorded}
   * in its store, and records the ones it has not seen yet.
   */
  static <K, V> StoreWriter<K, V> checked(
      StoreWriter<K, V> writer,
      Supplier<Map<String, String>> current,
      Supplier<Map<String, String>> recorded,
      Consumer<Map<String, String>> record) {
    return new StoreWriter<>() {
      @Override
      public String store() {
        return writer.store();
      }

      @Override
      public void prepare() throws Exception {
        writer.prepare();
        Map<String, String> missing = unrecorded(writer.store(), recorded.get(), current.get());
        if (!missing.isEmpty()) {
          record.accept(missing);
        }
      }

      @Override
      public void write(List<ConsumerRecord<K, V>> batch) throws Exception {
        writer.write(batch);
      }

      @Override
      public Map<TopicPartition, Long> write(List<ConsumerRecord<K, V>> batch, Map<TopicPartition, Long> stored)
          throws Exception {
        return writer.write(batch, stored);
      }

      @Override
      public void ping() throws Exception {
        writer.ping();
      }

      @Override
      public Map<TopicPartition, Long> check(Map<TopicPartition, Long> stored) throws Exception {
        return writer.check(stored);
      }
    };
  }
}
