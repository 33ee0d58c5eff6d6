package gt.quetzal.ingest.core;

import gt.quetzal.kit.Closer;
import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes votes to {@link Topics#VOTES_RAW}, keyed by voteId, with an idempotent {@code acks=all}
 * producer (settings in {@link KafkaPublisherConfig#producerProperties()}).
 *
 * <p>Each future is completed from the producer's send callback, so it means exactly what Kafka
 * said: acknowledged by all in-sync replicas, or failed after at most {@code delivery.timeout.ms}.
 * {@code send} itself blocks at most {@code max.block.ms} (metadata or buffer space); its
 * exceptions end up in the future too. The record timestamp is the vote's {@code receivedAt}, so
 * Kafka's time and the vote's event time agree.
 *
 * <p>Fail fast: when {@code send} gave up after {@code max.block.ms} (no metadata, or no buffer
 * space: Kafka is unreachable or far behind), further votes fail at once for the next {@code
 * failFast} instead of each blocking its caller for {@code max.block.ms} again. Without this, a
 * batch of 1,000 votes, or the votes queued on one gRPC stream, would be refused one blocked
 * {@code max.block.ms} at a time. After the window one send tries again, so recovery is noticed.
 *
 * <p>Readiness asks the cluster to describe the topic (a real round trip, not cached producer
 * metadata), coalescing concurrent checks and reusing a result for {@code healthCacheMs}.
 */
public final class KafkaVotePublisher implements VotePublisher {

  private static final Logger log = LoggerFactory.getLogger(KafkaVotePublisher.class);
  private static final Topic<String, VoteEvent> TOPIC = Topics.VOTES_RAW;

  /** Asks the cluster how many partitions a topic has, bounded by its own timeout. */
  @FunctionalInterface
  public interface TopicProbe {
    CompletableFuture<Integer> partitionCount(String topic);
  }

  private final Producer<String, VoteEvent> producer;
  private final TopicProbe probe;
  private final long healthCacheNanos;
  private final Duration closeTimeout;
  private final LongSupplier nanoTime;
  private final List<AutoCloseable> resources;
  private final long failFastNanos;
  private volatile long failFastUntilNanos;
  private volatile boolean failingFast;
  private final java.util.concurrent.atomic.LongAdder failedFast = new java.util.concurrent.atomic.LongAdder();
  private volatile boolean closed;
  private CachedHealth cached; // guarded by this

  private record CachedHealth(CompletableFuture<PublisherHealth> result, long startedAtNanos) {}

  /**
   * @param producer     a producer with the topic's serdes and durable settings
   * @param probe        the readiness check
   * @param healthCache  how long a completed check is reused
   * @param closeTimeout how long {@link #close()} waits for the producer to shut down
   * @param failFast     after a send timed out waiting for Kafka, how long later votes fail at
   *                     once (zero: never fail fast)
   * @param resources    closed after the producer (e.g. the probe's admin client)
   */
  public KafkaVotePublisher(
      Producer<String, VoteEvent> producer,
      TopicProbe probe,
      Duration healthCache,
      Duration closeTimeout,
      Duration failFast,
      List<? extends AutoCloseable> resources) {
    this(producer, probe, healthCache, closeTimeout, failFast, resources, System::nanoTime);
  }

  KafkaVotePublisher(
      Producer<String, VoteEvent> producer,
      TopicProbe probe,
      Duration healthCache,
      Duration closeTimeout,
      Duration failFast,
      List<? extends AutoCloseable> resources,
      LongSupplier nanoTime) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.healthCacheNanos = healthCache.toNanos();
    this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
    this.resources = new ArrayList<>(resources);
    this.nanoTime = nanoTime;
    this.failFastNanos = failFast.toNanos();
  }

  /**
   * The production wiring: a {@link KafkaProducer} with {@code VOTES_RAW}'s serdes, an admin client
   * for readiness and, when {@code registry} is given, the producer's own metrics.
   */
  public static KafkaVotePublisher create(KafkaPublisherConfig config, MeterRegistry registry) {
    KafkaProducer<String, VoteEvent> producer =
        new KafkaProducer<>(
            config.producerProperties(), TOPIC.keySerde().serializer(), TOPIC.valueSerde().serializer());
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      if (registry != null) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(producer);
        metrics.bindTo(registry);
        resources.add(metrics);
      }
      Admin admin = Admin.create(config.adminProperties());
      // Bounded: Admin.close() without a timeout waits for pending calls forever, and the gRPC
      // health poller usually has one in flight; with the broker gone that held shutdown for minutes.
      Duration adminClose = Duration.ofMillis(config.adminCloseTimeoutMs());
      resources.add(() -> admin.close(adminClose));
      KafkaVotePublisher publisher =
          new KafkaVotePublisher(
              producer,
              adminProbe(admin, config.healthTimeoutMs()),
              Duration.ofMillis(config.healthCacheMs()),
              Duration.ofMillis(config.producerCloseTimeoutMs()),
              Duration.ofMillis(config.maxBlockMs()),
              resources);
      if (registry != null) {
        FunctionCounter.builder(FAILED_FAST_METRIC, publisher, KafkaVotePublisher::failedFast)
            .description("Votes failed at once, unsent, because a send had just waited max.block.ms for Kafka")
            .register(registry);
      }
      return publisher;
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      resources.forEach(Closer::closeQuietly);
      throw e;
    }
  }

  /** A probe that describes the topic through {@code admin}, failing after {@code timeoutMs}. */
  public static TopicProbe adminProbe(Admin admin, int timeoutMs) {
    return topic -> {
      CompletableFuture<Integer> result = new CompletableFuture<>();
      try {
        admin
            .describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMs))
            .allTopicNames()
            .whenComplete(
                (descriptions, error) -> {
                  if (error != null) {
                    result.completeExceptionally(error);
                  } else {
                    result.complete(descriptions.get(topic).partitions().size());
                  }
                });
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
      return result;
    };
  }

  /** The meter counting {@link #failedFast()}, registered by {@link #create} when given a registry. */
  public static final String FAILED_FAST_METRIC = "quetzal.ingest.votes.failed.fast";

  /** Votes failed at once, without a send, while failing fast. */
  public double failedFast() {
    return failedFast.sum();
  }

  @Override
  public CompletableFuture<RecordMetadata> publish(VoteEvent vote) {
    Objects.requireNonNull(vote, "vote");
    CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new IllegalStateException("the vote publisher is closed"));
      return result;
    }
    if (failingFast && nanoTime.getAsLong() - failFastUntilNanos < 0) {
      failedFast.increment();
      result.completeExceptionally(
          new TimeoutException(
              "not sent: a send just waited max.block.ms for Kafka (metadata or buffer space); failing fast for "
                  + Duration.ofNanos(failFastNanos).toMillis() + " ms"));
      return result;
    }
    ProducerRecord<String, VoteEvent> record =
        new ProducerRecord<>(TOPIC.name(), null, vote.receivedAt(), vote.voteId(), vote);
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              result.completeExceptionally(error);
            } else {
              result.complete(metadata);
            }
          });
    } catch (RuntimeException e) { // producer closed, serialisation, ...
      result.completeExceptionally(e);
    }
    // KafkaProducer reports "max.block.ms elapsed" through the callback, before send returns;
    // other producers may throw it. Either way the future is already failed here.
    if (result.isCompletedExceptionally()) {
      if (failFastNanos > 0 && result.handle((ignored, e) -> unwrap(e)).join() instanceof TimeoutException) {
        failFastUntilNanos = nanoTime.getAsLong() + failFastNanos;
        failingFast = true;
      }
      return result;
    }
    if (failingFast) {
      failingFast = false; // send accepted the record again (checked first: no volatile write per vote)
    }
    return result;
  }

  @Override
  public CompletableFuture<PublisherHealth> health() {
    if (closed) {
      return CompletableFuture.completedFuture(PublisherHealth.down("the vote publisher is closed"));
    }
    long now = nanoTime.getAsLong();
    synchronized (this) {
      CachedHealth current = cached;
      boolean fresh =
          current != null
              && (!current.result().isDone() || now - current.startedAtNanos() < healthCacheNanos);
      if (fresh) {
        return current.result();
      }
      CompletableFuture<PublisherHealth> check = runProbe();
      cached = new CachedHealth(check, now);
      return check;
    }
  }

  private CompletableFuture<PublisherHealth> runProbe() {
    String topic = TOPIC.name();
    CompletableFuture<Integer> partitions;
    try {
      partitions = probe.partitionCount(topic);
    } catch (RuntimeException e) {
      partitions = CompletableFuture.failedFuture(e);
    }
    return partitions.handle(
        (count, error) -> {
          if (error != null) {
            Throwable cause = unwrap(error);
            if (cause instanceof UnknownTopicOrPartitionException) {
              return PublisherHealth.down("topic " + topic + " does not exist");
            }
            return PublisherHealth.down(
                "Kafka unreachable: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
          }
          if (count == null || count < 1) {
            return PublisherHealth.down("topic " + topic + " has no partitions");
          }
          return PublisherHealth.up(topic + " reachable (" + count + " partitions)");
        });
  }

  /** Flushes buffered votes (bounded by {@code delivery.timeout.ms}), then closes the producer. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      producer.flush();
    } catch (RuntimeException e) {
      log.warn("flushing the vote producer failed: {}", e.toString());
    }
    try {
      producer.close(closeTimeout);
    } catch (RuntimeException e) {
      log.warn("closing the vote producer failed: {}", e.toString());
    }
    resources.forEach(Closer::closeQuietly);
  }

  /** The cause behind the wrappers futures add. */
  public static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
