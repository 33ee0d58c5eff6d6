package gt.quetzal.devstack;

import gt.quetzal.contract.Topic;
import java.util.Map;
import java.util.Objects;

/** How one topic is laid out: name, partition count and topic-level configs. */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {

  public TopicSpec {
    Objects.requireNonNull(name, "name");
    if (partitions < 1) {
      throw new IllegalArgumentException(name + ": partitions must be at least 1, was " + partitions);
    }
    configs = Map.copyOf(configs);
  }

  public static TopicSpec of(Topic<?, ?> topic, int partitions) {
    return new TopicSpec(topic.name(), partitions, Map.of());
  }

  /** A changelog topic: only the latest value per key matters, so the log is compacted. */
  public static TopicSpec compacted(Topic<?, ?> topic, int partitions) {
    return new TopicSpec(topic.name(), partitions, Map.of("cleanup.policy", "compact"));
  }

  /**
   * A topic whose record timestamps are the broker's append time, whatever the producer stamped: one
   * clock for every producer, so a producer with a wrong clock cannot move the stream time.
   */
  public static TopicSpec stampedOnAppend(Topic<?, ?> topic, int partitions) {
    return new TopicSpec(topic.name(), partitions, Map.of("message.timestamp.type", "LogAppendTime"));
  }
}
