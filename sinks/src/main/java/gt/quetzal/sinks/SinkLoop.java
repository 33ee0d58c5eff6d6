package gt.quetzal.sinks;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer, one store, one thread: poll → write the batch → commit only after the store acknowledged.
 * The consumer may subscribe to several topics (the Redis sink reads every tally topic): a poll is one
 * batch whatever topics it spans, so a store sees one write per poll, and offsets are committed per
 * topic-partition.
 *
 * <p>When a write fails the batch is <em>held</em>, not skipped: every assigned partition is paused and
 * {@code poll(backoff)} is the wait between attempts. Polling while paused keeps the member in its group
 * (no {@code max.poll.interval.ms} eviction during a long outage) and lets a rebalance complete; records of
 * partitions revoked meanwhile are dropped from the held batch, because their new owner resumes from the
 * last committed offset. Writers are idempotent, so writing a held batch again is harmless.
 */
public final class SinkLoop<K, V> implements SinkStatus, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SinkLoop.class);

  /** How long the loop may sit idle before it pings the store, so the up gauge stays current. */
  static final Duration IDLE_PING_INTERVAL = Duration.ofSeconds(2);

  private final Consumer<K, V> consumer;
  private final List<String> topics;
  private final StoreWriter<K, V> writer;
  private final Backoff backoff;
  private final Duration pollTimeout;
  private final Thread thread;

  private final List<ConsumerRecord<K, V>> held = new ArrayList<>();
  private final StoredPositions stored = new StoredPositions();
  private boolean prepared;
  private long nextAttemptNanos;
  private long lastStoreContactNanos;

  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean alive = new AtomicBoolean();
  private final AtomicBoolean crashed = new AtomicBoolean();
  private final AtomicInteger storeUp = new AtomicInteger();
  private final AtomicInteger heldCount = new AtomicInteger();
  private final AtomicLong lastWriteMillis = new AtomicLong();

  private final SinkMetrics metrics;

  public SinkLoop(
      Consumer<K, V> consumer,
      List<String> topics,
      StoreWriter<K, V> writer,
      Backoff backoff,
      Duration pollTimeout,
      MeterRegistry registry) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.topics = List.copyOf(topics);
    if (this.topics.isEmpty()) {
      throw new IllegalArgumentException("a sink loop needs at least one topic");
    }
    this.writer = Objects.requireNonNull(writer, "writer");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
    String store = writer.store();
    this.metrics = SinkMetrics.register(registry, store, storeUp, lastWriteMillis, heldCount);
    this.thread = new Thread(this::run, "sink-" + store);
    // nanoTime may be negative: start the clocks from "now", never from 0.
    this.nextAttemptNanos = System.nanoTime();
    this.lastStoreContactNanos = nextAttemptNanos;
  }

  public void start() {
    alive.set(true);
    thread.start();
  }

  @Override
  public String store() {
    return writer.store();
  }

  @Override
  public boolean alive() {
    return alive.get();
  }

  @Override
  public boolean crashed() {
    return crashed.get();
  }

  @Override
  public boolean storeUp() {
    return storeUp.get() == 1;
  }

  private void run() {
    try {
      consumer.subscribe(topics, new DropRevoked());
      attemptPrepare();
      while (!closing.get()) {
        step();
      }
    } catch (WakeupException | InterruptException e) {
      if (!closing.get()) {
        crashed.set(true);
        log.error("{} sink stopped by an unexpected wakeup or interrupt", store(), e);
      }
    } catch (RuntimeException | Error e) {
      crashed.set(true);
      log.error("{} sink loop crashed; liveness will fail", store(), e);
    } finally {
      alive.set(false);
      try {
        // Nothing is committed here: held records stay uncommitted and are replayed by the next owner.
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        log.warn("closing the {} consumer failed", store(), e);
      }
    }
  }

  /** One iteration: poll (or wait, when holding a batch), then try to flush when an attempt is due. */
  private void step() {
    Duration timeout = pollTimeout;
    if (!held.isEmpty()) {
      // Paused partitions return nothing, so this poll is the backoff wait and the group heartbeat in one.
      consumer.pause(consumer.assignment());
      timeout = Duration.ofNanos(Math.max(0, nextAttemptNanos - System.nanoTime()));
    }
    ConsumerRecords<K, V> polled = poll(timeout);
    for (ConsumerRecord<K, V> record : polled) {
      held.add(record);
    }
    heldCount.set(held.size());
    if (held.isEmpty()) {
      idleCheck();
    } else if (System.nanoTime() - nextAttemptNanos >= 0) {
      flush();
    }
  }

  private ConsumerRecords<K, V> poll(Duration timeout) {
    try {
      return consumer.poll(timeout);
    } catch (RecordDeserializationException e) {
      // A record that cannot be read can never be written: skip exactly that one, loudly.
      metrics.skipped().increment();
      log.error(
          "{} sink skips undeserializable record {}@{}: {}",
          store(),
          e.topicPartition(),
          e.offset(),
          e.getMessage());
      consumer.seek(e.topicPartition(), e.offset() + 1);
      return ConsumerRecords.empty();
    }
  }

  private void flush() {
    try {
      if (!prepared) {
        writer.prepare();
        prepared = true;
      }
      List<ConsumerRecord<K, V>> batch = List.copyOf(held);
      long start = System.nanoTime();
      Map<TopicPartition, Long> lost = writer.write(batch, storedNow());
      if (!lost.isEmpty()) {
        storeOk();
        readAgain(batch, lost);
        return;
      }
      metrics.writeTimer().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      lastWriteMillis.set(System.currentTimeMillis());
      stored.acknowledged(batch);
    } catch (WakeupException | InterruptException | TopicIds.RecreatedException e) {
      throw e;
    } catch (Exception e) {
      storeFailed(e);
      return;
    }
    storeOk();
    commitHeld();
  }

  /** What the store should hold, after learning it for newly owned partitions from their commits. */
  private Map<TopicPartition, Long> storedNow() {
    Set<TopicPartition> unknown = stored.unknown();
    if (!unknown.isEmpty()) {
      stored.committed(consumer.committed(unknown), unknown);
    }
    return stored.snapshot();
  }

  /** The store lost acknowledged records: drop the batch and read it, and what was lost, again. */
  private void readAgain(List<ConsumerRecord<K, V>> batch, Map<TopicPartition, Long> lost) {
    metrics.rewinds().increment(lost.size());
    log.warn("{} holds less than it acknowledged; reading {} again from {}", store(), lost.keySet(), lost);
    Set<TopicPartition> owned = consumer.assignment();
    stored.rewind(batch, lost).forEach((partition, offset) -> {
      if (owned.contains(partition)) {
        consumer.seek(partition, offset);
      }
    });
    clearHeld();
  }

  private void commitHeld() {
    Map<TopicPartition, OffsetAndMetadata> offsets = nextOffsets(held);
    try {
      consumer.commitSync(offsets);
      metrics.recordsWritten().increment(held.size());
      clearHeld();
    } catch (CommitFailedException e) {
      // We were removed from the group; the new owners replay from the last commit (writes are idempotent).
      log.warn("{} sink lost its partitions before committing; dropping {} records", store(), held.size());
      clearHeld();
    } catch (RebalanceInProgressException | RetriableException e) {
      // Keep the batch; the next poll finishes the rebalance (dropping revoked records), then we retry.
      log.info("{} sink commit deferred: {}", store(), e.toString());
      nextAttemptNanos = System.nanoTime() + backoff.next().toNanos();
    }
  }

  private void clearHeld() {
    held.clear();
    heldCount.set(0);
    backoff.reset();
    nextAttemptNanos = System.nanoTime();
    // Only partitions still assigned: resuming one revoked meanwhile throws IllegalStateException.
    Set<TopicPartition> paused = new HashSet<>(consumer.paused());
    paused.retainAll(consumer.assignment());
    if (!paused.isEmpty()) {
      consumer.resume(paused);
    }
  }

  private void attemptPrepare() {
    contactStore(() -> {
      writer.prepare();
      prepared = true;
    });
  }

  /** One call to the store outside a write: success or failure moves the store's health. */
  private void contactStore(StoreCall call) {
    try {
      call.run();
      storeOk();
    } catch (WakeupException | InterruptException | TopicIds.RecreatedException e) {
      throw e;
    } catch (Exception e) {
      storeFailed(e);
    }
  }

  @FunctionalInterface
  private interface StoreCall {
    void run() throws Exception;
  }

  /** While idle, re-check the store now and then (and finish setup), so the gauge and readiness are honest. */
  private void idleCheck() {
    long now = System.nanoTime();
    boolean due =
        storeUp()
            ? now - lastStoreContactNanos >= IDLE_PING_INTERVAL.toNanos()
            : now - nextAttemptNanos >= 0;
    if (!due) {
      return;
    }
    if (!prepared) {
      attemptPrepare();
      return;
    }
    contactStore(() -> {
      Map<TopicPartition, Long> lost = writer.check(storedNow());
      if (!lost.isEmpty()) {
        readAgain(List.of(), lost);
      }
    });
  }

  private void storeOk() {
    if (storeUp.getAndSet(1) == 0 && backoff.attempts() > 0) {
      log.info("{} is reachable again after {} failed attempts", store(), backoff.attempts());
    }
    lastStoreContactNanos = System.nanoTime();
    backoff.reset();
  }

  private void storeFailed(Exception e) {
    storeUp.set(0);
    metrics.writeFailures().increment();
    Duration delay = backoff.next();
    nextAttemptNanos = System.nanoTime() + delay.toNanos();
    if (backoff.attempts() == 1 || backoff.attempts() % 10 == 0) {
      log.warn(
          "{} unavailable ({} attempts, holding {} records, next try in {} ms): {}",
          store(),
          backoff.attempts(),
          held.size(),
          delay.toMillis(),
          e.toString());
    }
  }

  /** The offsets to commit for a batch: one past the highest offset seen per partition. */
  static <K, V> Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<K, V>> records) {
    Map<TopicPartition, Long> highest = new HashMap<>();
    for (ConsumerRecord<K, V> r : records) {
      highest.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::max);
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    highest.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset + 1)));
    return offsets;
  }

  /** Stops the loop: wakes a blocked poll, then waits for the thread to close its consumer. */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(15).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{} sink thread did not stop within 15 s", store());
    }
  }

  /** Runs on the loop thread inside poll(): forget held records of partitions this member no longer owns. */
  private final class DropRevoked implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    /** Newly assigned partitions start unpaused; the next step pauses them too if a batch is held. */
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      stored.assigned(partitions);
    }

    private void drop(Collection<TopicPartition> partitions) {
      stored.revoked(partitions);
      if (partitions.isEmpty() || held.isEmpty()) {
        return;
      }
      Set<TopicPartition> gone = new HashSet<>(partitions);
      int before = held.size();
      held.removeIf(r -> gone.contains(new TopicPartition(r.topic(), r.partition())));
      heldCount.set(held.size());
      if (held.size() != before) {
        log.info("{} sink dropped {} held records of revoked partitions {}", store(), before - held.size(), gone);
      }
      if (held.isEmpty()) {
        backoff.reset();
        nextAttemptNanos = System.nanoTime();
      }
    }
  }
}
