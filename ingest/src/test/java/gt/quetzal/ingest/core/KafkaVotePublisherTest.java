package gt.quetzal.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.Json;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaVotePublisherTest {

  private static final VoteEvent VOTE =
      new VoteEvent("vote-1", "Malacates Trébol Shop", "Resaca", 2002, 87, null, "http", 1_790_000_000_000L);

  private final MockProducer<String, VoteEvent> producer =
      new MockProducer<>(false, null, new StringSerializer(), Topics.VOTES_RAW.valueSerde().serializer());
  private final AtomicInteger probes = new AtomicInteger();
  private volatile CompletableFuture<Integer> probeAnswer = CompletableFuture.completedFuture(3);
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicBoolean resourceClosed = new AtomicBoolean();

  private final KafkaVotePublisher publisher =
      new KafkaVotePublisher(
          producer,
          topic -> {
            probes.incrementAndGet();
            return probeAnswer;
          },
          Duration.ofSeconds(1),
          Duration.ofSeconds(1),
          Duration.ofMillis(500),
          List.of(() -> resourceClosed.set(true)),
          nanos::get);

  @Test
  void futureCompletesOnlyWhenKafkaAcknowledges() throws Exception {
    CompletableFuture<RecordMetadata> result = publisher.publish(VOTE);
    assertThat(result).isNotDone();

    assertThat(producer.completeNext()).isTrue();
    RecordMetadata metadata = result.get(1, TimeUnit.SECONDS);
    assertThat(metadata.topic()).isEqualTo("votes.raw");
  }

  @Test
  void recordIsKeyedByVoteIdWithTheVoteAsJsonAndItsReceivedAtAsTimestamp() throws Exception {
    publisher.publish(VOTE);
    ProducerRecord<String, VoteEvent> record = producer.history().get(0);
    assertThat(record.topic()).isEqualTo(Topics.VOTES_RAW.name());
    assertThat(record.key()).isEqualTo("vote-1");
    assertThat(record.value()).isEqualTo(VOTE);
    assertThat(record.timestamp()).isEqualTo(VOTE.receivedAt());

    byte[] json = Topics.VOTES_RAW.valueSerde().serializer().serialize("votes.raw", record.value());
    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"name\":\"Malacates Trébol Shop\"");
    assertThat(Json.MAPPER.readValue(json, VoteEvent.class)).isEqualTo(VOTE);
  }

  @Test
  void brokerErrorFailsTheFuture() {
    CompletableFuture<RecordMetadata> result = publisher.publish(VOTE);
    producer.errorNext(new NotEnoughReplicasException("ISR too small"));
    assertThatThrownBy(() -> result.get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(NotEnoughReplicasException.class);
  }

  @Test
  void synchronousSendFailureEndsUpInTheFutureInsteadOfBeingThrown() {
    producer.sendException = new TimeoutException("max.block.ms elapsed waiting for metadata");
    CompletableFuture<RecordMetadata> result = publisher.publish(VOTE);
    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join).hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void afterASendTimedOutWaitingForKafkaVotesFailFastUntilTheWindowPasses() {
    producer.sendException = new TimeoutException("Topic votes.raw not present in metadata after 500 ms.");
    assertThat(publisher.publish(VOTE)).isCompletedExceptionally();
    assertThat(publisher.failedFast()).as("the vote that waited was sent, not failed fast").isZero();
    producer.sendException = null;

    CompletableFuture<RecordMetadata> fast = publisher.publish(VOTE);
    assertThat(fast).isCompletedExceptionally();
    assertThatThrownBy(fast::join).hasCauseInstanceOf(TimeoutException.class).hasMessageContaining("failing fast");
    assertThat(producer.history()).isEmpty(); // nobody blocked in send again
    assertThat(publisher.failedFast()).isEqualTo(1.0);

    nanos.addAndGet(Duration.ofMillis(501).toNanos());
    CompletableFuture<RecordMetadata> retried = publisher.publish(VOTE);
    assertThat(producer.history()).hasSize(1); // the window passed: Kafka is tried again
    assertThat(producer.completeNext()).isTrue();
    assertThat(retried).isCompleted();
    assertThat(publisher.publish(VOTE)).isNotDone(); // and stays tried
    assertThat(publisher.failedFast()).isEqualTo(1.0);
  }

  @Test
  void aTimeoutReportedThroughTheCallbackBeforeSendReturnsAlsoTriggersFailFast() {
    // KafkaProducer does not throw when max.block.ms elapses: it calls back, then returns.
    AtomicInteger sends = new AtomicInteger();
    MockProducer<String, VoteEvent> callsBack =
        new MockProducer<>(false, null, new StringSerializer(), Topics.VOTES_RAW.valueSerde().serializer()) {
          @Override
          public synchronized java.util.concurrent.Future<RecordMetadata> send(
              ProducerRecord<String, VoteEvent> record, org.apache.kafka.clients.producer.Callback callback) {
            sends.incrementAndGet();
            TimeoutException timeout = new TimeoutException("Topic votes.raw not present in metadata after 500 ms.");
            callback.onCompletion(null, timeout);
            return CompletableFuture.failedFuture(timeout);
          }
        };
    KafkaVotePublisher kafkaLike =
        new KafkaVotePublisher(callsBack, topic -> probeAnswer, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(500), List.of(), nanos::get);
    assertThat(kafkaLike.publish(VOTE)).isCompletedExceptionally();
    assertThat(kafkaLike.publish(VOTE)).isCompletedExceptionally();
    assertThat(kafkaLike.publish(VOTE)).isCompletedExceptionally();
    assertThat(sends).hasValue(1);
    assertThat(kafkaLike.failedFast()).isEqualTo(2.0);
    nanos.addAndGet(Duration.ofMillis(501).toNanos());
    kafkaLike.publish(VOTE);
    assertThat(sends).hasValue(2);
    assertThat(kafkaLike.failedFast()).isEqualTo(2.0);
  }

  @Test
  void otherSendFailuresDoNotTriggerFailFast() {
    producer.sendException = new IllegalStateException("some other problem");
    assertThat(publisher.publish(VOTE)).isCompletedExceptionally();
    producer.sendException = null;
    assertThat(publisher.publish(VOTE)).isNotDone();
    assertThat(producer.history()).hasSize(1);
    assertThat(publisher.failedFast()).isZero();
  }

  @Test
  void closeFlushesThenClosesTheProducerAndResources() {
    CompletableFuture<RecordMetadata> pending = publisher.publish(VOTE);
    publisher.close();
    assertThat(producer.flushed()).isTrue();
    assertThat(pending).isCompleted(); // flushed, not dropped
    assertThat(producer.closed()).isTrue();
    assertThat(resourceClosed).isTrue();

    assertThat(publisher.publish(VOTE)).isCompletedExceptionally();
    assertThat(publisher.health().join().up()).isFalse();
  }

  @Test
  void healthIsUpWhenTheTopicHasPartitions() {
    PublisherHealth health = publisher.health().join();
    assertThat(health.up()).isTrue();
    assertThat(health.detail()).contains("votes.raw").contains("3 partitions");
  }

  @Test
  void healthIsDownWithAReasonWhenKafkaIsUnreachableOrTheTopicMissing() {
    probeAnswer = CompletableFuture.failedFuture(new TimeoutException("Timed out waiting for a node assignment"));
    PublisherHealth unreachable = publisher.health().join();
    assertThat(unreachable.up()).isFalse();
    assertThat(unreachable.detail()).contains("Kafka unreachable").contains("Timed out");

    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    probeAnswer = CompletableFuture.failedFuture(new UnknownTopicOrPartitionException("nope"));
    assertThat(publisher.health().join().detail()).isEqualTo("topic votes.raw does not exist");
  }

  @Test
  void healthIsCachedBrieflyAndConcurrentChecksShareOneProbe() {
    CompletableFuture<Integer> slow = new CompletableFuture<>();
    probeAnswer = slow;
    CompletableFuture<PublisherHealth> first = publisher.health();
    CompletableFuture<PublisherHealth> second = publisher.health();
    assertThat(probes).hasValue(1); // in flight: shared
    slow.complete(3);
    assertThat(first.join().up()).isTrue();
    assertThat(second.join().up()).isTrue();

    nanos.addAndGet(Duration.ofMillis(500).toNanos());
    publisher.health().join();
    assertThat(probes).hasValue(1); // still fresh

    nanos.addAndGet(Duration.ofMillis(600).toNanos());
    probeAnswer = CompletableFuture.completedFuture(3);
    publisher.health().join();
    assertThat(probes).hasValue(2); // stale: probed again
  }

  @Test
  void producerSettingsMakeAcceptedMeanDurable() {
    KafkaPublisherConfig config = KafkaPublisherConfig.defaults("broker:9092", "ingest-http");
    assertThat(config.producerProperties())
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
        .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000)
        .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000)
        .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
  }

  @Test
  void kafkasTimeoutRuleIsCheckedUpFront() {
    assertThatThrownBy(
            () -> new KafkaPublisherConfig("b:9092", "c", 5, 1, "none", 5_000, 5_000, 1_000, 1_000, 1_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deliveryTimeoutMs");
  }
}
