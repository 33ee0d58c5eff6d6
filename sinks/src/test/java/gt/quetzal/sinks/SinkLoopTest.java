package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop's contract on a MockConsumer: commit only after the store acked, hold and retry when it did not. */
class SinkLoopTest {

  private static final String TOPIC = "tallies.bands";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  private final MockConsumer<String, Long> consumer = new MockConsumer<>("earliest");
  private final FakeStore store = new FakeStore();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SinkLoop<String, Long> loop =
      new SinkLoop<>(
          consumer,
          List.of(TOPIC),
          store,
          new Backoff(Duration.ofMillis(5), Duration.ofMillis(40)),
          Duration.ofMillis(10),
          registry);

  @AfterEach
  void stop() {
    loop.close();
  }

  /** Assignment happens inside the loop's first poll, as with a real group. */
  private void assignOnFirstPoll(TopicPartition... partitions) {
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(partitions));
          Map<TopicPartition, Long> beginning = new java.util.HashMap<>();
          for (TopicPartition tp : partitions) {
            beginning.put(tp, 0L);
          }
          consumer.updateBeginningOffsets(beginning);
        });
  }

  private void addRecords(TopicPartition tp, long fromOffset, String band, long... totals) {
    consumer.schedulePollTask(
        () -> {
          for (int i = 0; i < totals.length; i++) {
            consumer.addRecord(
                new ConsumerRecord<>(tp.topic(), tp.partition(), fromOffset + i, band, totals[i]));
          }
        });
  }

  private Map<TopicPartition, OffsetAndMetadata> committed() {
    return consumer.committed(Set.of(P0, P1));
  }

  private double storeUpGauge() {
    return registry.get("quetzal.sink.store.up").tag("store", "fake").gauge().value();
  }

  @Test
  void commitsOnePastTheLastWrittenOffsetPerPartition() {
    assignOnFirstPoll(P0, P1);
    addRecords(P0, 0, "Alux Nahual", 1, 2, 3);
    addRecords(P1, 0, "Bohemia Suburbana", 1, 2);
    loop.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> committed().size() == 2);

    assertThat(committed().get(P0).offset()).isEqualTo(3);
    assertThat(committed().get(P1).offset()).isEqualTo(2);
    assertThat(store.writtenValues()).containsExactlyInAnyOrder(1L, 2L, 3L, 1L, 2L);
    assertThat(loop.storeUp()).isTrue();
    assertThat(storeUpGauge()).isEqualTo(1.0);
    assertThat(store.prepared.get()).isEqualTo(1);
  }

  @Test
  void holdsTheBatchWithoutCommittingWhileTheStoreIsDownThenCatchesUp() {
    store.down = true;
    assignOnFirstPoll(P0);
    addRecords(P0, 0, "Alux Nahual", 1, 2, 3);
    loop.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> store.failedAttempts.get() >= 3);
    assertThat(committed()).isEmpty();
    assertThat(loop.storeUp()).isFalse();
    assertThat(storeUpGauge()).isZero();
    assertThat(consumer.paused()).containsExactly(P0);
    assertThat(loop.alive()).isTrue();

    // More records arrive during the outage; the paused partition keeps them for later.
    addRecords(P0, 3, "Alux Nahual", 4);
    store.down = false;

    await().atMost(Duration.ofSeconds(5)).until(() -> committed().containsKey(P0) && committed().get(P0).offset() == 4);
    assertThat(store.writtenValues()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(loop.storeUp()).isTrue();
    assertThat(consumer.paused()).isEmpty();
    assertThat(registry.get("quetzal.sink.write.failures").counter().count()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void dropsHeldRecordsOfARevokedPartition() {
    store.down = true;
    assignOnFirstPoll(P0, P1);
    // Both partitions' records arrive in one poll, so both are held when the outage starts.
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "Alux Nahual", 1L));
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "Alux Nahual", 2L));
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "Bohemia Suburbana", 7L));
        });
    loop.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> consumer.paused().size() == 2);

    // Another replica takes P0: its records must not be written (nor committed) by this one.
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P1)));
    await().atMost(Duration.ofSeconds(5)).until(() -> !consumer.assignment().contains(P0));
    store.down = false;

    await().atMost(Duration.ofSeconds(5)).until(() -> committed().containsKey(P1));
    assertThat(committed()).doesNotContainKey(P0);
    assertThat(store.writtenValues()).containsExactly(7L);
  }

  @Test
  void onePollAcrossTopicsIsOneWriteAndEachTopicPartitionIsCommitted() {
    TopicPartition other = new TopicPartition("tallies.stats", 0);
    assignOnFirstPoll(P0, other);
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "Alux Nahual", 1L));
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "Alux Nahual", 2L));
          consumer.addRecord(new ConsumerRecord<>("tallies.stats", 0, 0, "accepted", 2L));
        });
    loop.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> consumer.committed(Set.of(P0, other)).size() == 2);
    assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).isEqualTo(2);
    assertThat(consumer.committed(Set.of(other)).get(other).offset()).isEqualTo(1);
    assertThat(store.acked).hasSize(1);
    assertThat(store.acked.get(0)).extracting(ConsumerRecord::topic).containsExactly(TOPIC, TOPIC, "tallies.stats");
  }

  @Test
  void refusesToStartWithoutATopic() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new SinkLoop<>(
                    new MockConsumer<String, Long>("earliest"),
                    List.of(),
                    store,
                    new Backoff(Duration.ofMillis(5), Duration.ofMillis(40)),
                    Duration.ofMillis(10),
                    new SimpleMeterRegistry()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retriesSetupBeforeTheFirstWrite() {
    store.prepareFailures.set(2);
    assignOnFirstPoll(P0);
    addRecords(P0, 0, "Alux Nahual", 5);
    loop.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> committed().containsKey(P0));
    assertThat(store.prepared.get()).isEqualTo(1);
    assertThat(store.writtenValues()).containsExactly(5L);
  }

  @Test
  void closeStopsTheThreadAndClosesTheConsumer() {
    assignOnFirstPoll(P0);
    loop.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> consumer.assignment().contains(P0));

    loop.close();

    assertThat(loop.alive()).isFalse();
    assertThat(loop.crashed()).isFalse();
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void anUnexpectedConsumerErrorMarksTheLoopCrashed() {
    consumer.setPollException(new org.apache.kafka.common.KafkaException("authorization failed"));
    loop.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> !loop.alive());
    assertThat(loop.crashed()).isTrue();
  }

  /** A store that can be switched off, remembering every acknowledged write. */
  private static final class FakeStore implements StoreWriter<String, Long> {
    volatile boolean down;
    final AtomicInteger prepareFailures = new AtomicInteger();
    final AtomicInteger prepared = new AtomicInteger();
    /** Failed setups and writes: both leave the batch held. */
    final AtomicInteger failedAttempts = new AtomicInteger();
    final List<List<ConsumerRecord<String, Long>>> acked = new CopyOnWriteArrayList<>();

    @Override
    public String store() {
      return "fake";
    }

    @Override
    public void prepare() throws IOException {
      if (down || prepareFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        failedAttempts.incrementAndGet();
        throw new IOException("setup failed");
      }
      prepared.incrementAndGet();
    }

    @Override
    public void write(List<ConsumerRecord<String, Long>> batch) throws IOException {
      if (down) {
        failedAttempts.incrementAndGet();
        throw new IOException("store down");
      }
      acked.add(batch);
    }

    @Override
    public void ping() throws IOException {
      if (down) {
        throw new IOException("store down");
      }
    }

    List<Long> writtenValues() {
      return acked.stream().flatMap(List::stream).map(ConsumerRecord::value).toList();
    }
  }
}
