package gt.quetzal.streams.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import gt.quetzal.devstack.KafkaCluster;
import gt.quetzal.devstack.Ports;
import gt.quetzal.devstack.TopicSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams app started before its broker and topics exist, as {@code ./quetzal up} starts it: it
 * waits for them, then runs. Without the wait, start returns while the broker has no topics yet, its
 * global thread dies on the missing contest.catalog and the client ends in ERROR.
 */
class StreamsBeforeKafkaIT {

  @TempDir Path dir;

  @Test
  void waitsForTheBrokerAndItsTopicsThenRuns() throws Exception {
    int kafkaPort = Ports.freePort();
    int controllerPort = Ports.freePort();
    Map<String, String> env = Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", "localhost:" + kafkaPort,
        "APPLICATION_ID", "quetzal-early-" + System.nanoTime(),
        "STATE_DIR", dir.resolve("state").toString(),
        "HTTP_PORT", "0",
        "ROCKSDB_CACHE_BYTES", Long.toString(16L * 1024 * 1024));
    ExecutorService starter = Executors.newSingleThreadExecutor();
    Future<StreamsMain.Running> starting = starter.submit(() -> StreamsMain.start(StreamsAppConfig.fromEnv(env)));
    try (KafkaCluster kafka = KafkaCluster.single(dir.resolve("kafka"), kafkaPort, controllerPort)) {
      // The broker is up without topics: a start that did not wait would return now, and its global
      // thread would find no contest.catalog and die.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> !starting.isDone());
      TopicSetup.createAll(kafka.bootstrapServers());
      try (StreamsMain.Running running = starting.get(120, TimeUnit.SECONDS)) {
        await().atMost(Duration.ofSeconds(120))
            .until(running::state, state -> state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.ERROR);
        assertThat(running.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
    } finally {
      starter.shutdownNow();
    }
  }

  @Test
  void aTopicThatNeverComesIsNamed() throws Exception {
    try (KafkaCluster kafka = KafkaCluster.single(dir.resolve("kafka"), Ports.freePort(), Ports.freePort())) {
      TopicSetup.createAll(kafka.bootstrapServers());
      assertThatThrownBy(() -> TopicsPresent.await(
              kafka.bootstrapServers(), Set.of("votes.raw", "no.such.topic"), Duration.ofMillis(500)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("[no.such.topic] still missing");
    }
  }
}
