package gt.quetzal.bench.streams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsFloorTest {

  private static final Duration HOUR = Duration.ofHours(1);
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  @TempDir Path stateDir;

  @Test
  void copyForwardsEveryRecordUntouched() {
    List<KeyValue<String, String>> out =
        run(StreamsFloor.Mode.COPY, List.of(kv("a", "{\"x\":1}"), kv("a", "{\"x\":1}"), kv("b", "not json")));
    assertThat(out).containsExactly(kv("a", "{\"x\":1}"), kv("a", "{\"x\":1}"), kv("b", "not json"));
  }

  @Test
  void dedupForwardsOnlyTheFirstCopyOfAKey() {
    List<KeyValue<String, String>> out =
        run(StreamsFloor.Mode.DEDUP, List.of(kv("a", "first"), kv("b", "other"), kv("a", "retry")));
    assertThat(out).containsExactly(kv("a", "first"), kv("b", "other"));
  }

  @Test
  void modeIsParsedFromTheCommandLineWord() {
    assertThat(StreamsFloor.Mode.parse(" dedup ")).isEqualTo(StreamsFloor.Mode.DEDUP);
    assertThat(StreamsFloor.Mode.parse("COPY")).isEqualTo(StreamsFloor.Mode.COPY);
    assertThat(StreamsFloor.Mode.COPY.argument()).isEqualTo("copy");
    assertThatThrownBy(() -> StreamsFloor.Mode.parse("")).hasMessageContaining("copy|dedup");
  }

  private List<KeyValue<String, String>> run(StreamsFloor.Mode mode, List<KeyValue<String, String>> in) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "floor-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    try (TopologyTestDriver driver = new TopologyTestDriver(StreamsFloor.build(mode, HOUR), props)) {
      TestInputTopic<String, byte[]> raw =
          driver.createInputTopic(Topics.VOTES_RAW.name(), new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> accepted =
          driver.createOutputTopic(
              Topics.VOTES_ACCEPTED.name(), new StringDeserializer(), new ByteArrayDeserializer());
      Instant t = T0;
      for (KeyValue<String, String> record : in) {
        raw.pipeInput(record.key, record.value.getBytes(UTF_8), t);
        t = t.plusSeconds(1);
      }
      return accepted.readKeyValuesToList().stream()
          .map(r -> kv(r.key, new String(r.value, UTF_8)))
          .toList();
    }
  }

  private static KeyValue<String, String> kv(String key, String value) {
    return KeyValue.pair(key, value);
  }
}
