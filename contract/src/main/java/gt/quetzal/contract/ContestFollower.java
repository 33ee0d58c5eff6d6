package gt.quetzal.contract;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code contest.catalog} from its beginning on a thread of its own, without a consumer
 * group, and keeps the latest {@link CatalogIndex}. Ingest checks votes at the door against it; the
 * sinks seed the contestants into Redis from it; the contest tool reads the current contest with it.
 * Committed records only: a contest applied in one transaction is seen whole or not at all.
 */
public final class ContestFollower implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ContestFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final KafkaConsumer<String, byte[]> consumer;
  private final Consumer<ContestState> onChange;
  private final ContestState state = new ContestState();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile CatalogIndex index = CatalogIndex.OPEN;
  private volatile boolean applied;
  private volatile boolean closing;
  /** The listener has not seen the latest state; starts true so it hears of the first catch-up. */
  private boolean untold = true;

  private ContestFollower(Map<String, Object> clientConfig, Consumer<ContestState> onChange) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Never let a broker with auto-creation on make this topic without its compaction.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    this.onChange = onChange;
    this.thread = new Thread(this::run, "contest-follower");
    this.thread.setDaemon(true);
  }

  /**
   * @param clientConfig Kafka client settings (at least {@code bootstrap.servers})
   * @param onChange     called on the follower's thread after each batch of records that was folded
   *                     in, and once when it first caught up; may be a no-op
   */
  public static ContestFollower start(Map<String, Object> clientConfig, Consumer<ContestState> onChange) {
    ContestFollower follower = new ContestFollower(clientConfig, onChange);
    follower.thread.start();
    return follower;
  }

  public static ContestFollower start(Map<String, Object> clientConfig) {
    return start(clientConfig, state -> {});
  }

  /** The contest now: open until a catalog was read. */
  public CatalogIndex index() {
    return index;
  }

  /** Whether a contest header was read (false: nothing applied yet, an open contest). */
  public boolean applied() {
    return applied;
  }

  /** Whether the topic was read up to where it ended when the follower started. */
  public boolean caughtUp() {
    return caughtUp.getCount() == 0;
  }

  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      Map<TopicPartition, Long> ends = assign();
      if (ends == null) {
        return;
      }
      while (!closing) {
        try {
          readOnce(ends);
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // The consumer retries a missing broker by itself; anything else gets a pause and another go,
          // so a reader never keeps an old contest silently.
          log.warn("reading contest.catalog failed; retrying in {}: {}", RETRY, e.toString());
          pause();
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        throw e;
      }
    } catch (RuntimeException e) {
      log.error("contest.catalog follower stopped; the contest is no longer updated", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * One poll: fold its records in, open the latch once caught up, and tell the listener once at the
   * catch-up and after every change ({@code untold} survives a poll that failed half-way).
   */
  private void readOnce(Map<TopicPartition, Long> ends) {
    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
    for (ConsumerRecord<String, byte[]> record : records) {
      state.apply(record.key(), record.value());
      untold = true;
    }
    index = state.index();
    applied = state.applied();
    boolean wasCaughtUp = caughtUp();
    if (!wasCaughtUp && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
      caughtUp.countDown();
      log.info("contest.catalog read: {}", describe(index));
    }
    if (caughtUp() && untold) {
      untold = false;
      tellListener(wasCaughtUp);
    }
  }

  private void tellListener(boolean change) {
    if (change) {
      log.info("contest.catalog changed: {}", describe(index));
    }
    try {
      onChange.accept(state);
    } catch (RuntimeException e) {
      log.warn("a contest listener failed; it sees the next change again", e);
    }
  }

  /** Assigns every partition (the topic is made by topic setup, maybe after this started). */
  private Map<TopicPartition, Long> assign() {
    while (!closing) {
      try {
        List<PartitionInfo> partitions = consumer.partitionsFor(Topics.CONTEST_CATALOG.name());
        if (partitions != null && !partitions.isEmpty()) {
          List<TopicPartition> assigned =
              partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
          consumer.assign(assigned);
          consumer.seekToBeginning(assigned);
          return consumer.endOffsets(assigned);
        }
        log.warn("topic {} does not exist yet; retrying", Topics.CONTEST_CATALOG.name());
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) { // Kafka not up yet: keep trying, not ready meanwhile
        log.warn("cannot reach Kafka for contest.catalog yet; retrying: {}", e.toString());
      }
      pause();
    }
    return null;
  }

  private void pause() {
    try {
      Thread.sleep(RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing = true;
    }
  }

  public static String describe(CatalogIndex index) {
    return index.isOpen()
        ? "an open contest (every well-formed band and album counts)"
        : "contest \"" + index.contest() + "\" with " + index.size() + " bands";
  }

  @Override
  public void close() throws InterruptedException {
    if (closing) {
      return;
    }
    closing = true;
    consumer.wakeup();
    thread.join(Duration.ofSeconds(10).toMillis());
  }
}
