package gt.quetzal.streams.topology;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;

/** A processor context of task 0_0 whose stores live in {@code stateDir}, for tests of one processor and its stores. */
final class MockTaskContext {

  private MockTaskContext() {}

  static <K, V> MockProcessorContext<K, V> in(Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "processor-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return new MockProcessorContext<>(props, new TaskId(0, 0), stateDir.toFile());
  }
}
