package gt.quetzal.devstack;

import gt.quetzal.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin step that creates the project's topics. Applications never create topics themselves:
 * only the devstack and the deployment's topic Job run this, so partition counts live in one place.
 */
public final class TopicSetup {

  private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Partitions of the scaled topics when a new stack is not told otherwise. */
  public static final int DEFAULT_PARTITIONS = 3;
  /** More partitions than a national final needs (docs/capacity.md) only cost broker memory and rebalances. */
  public static final int MAX_PARTITIONS = 64;
  /** Asked for no count: keep what the stack's topics were created with, or the default for a new stack. */
  public static final int AS_CREATED = 0;

  /**
   * The partition plan: {@code partitions} for the topics keyed per vote, band, album or minute, whose
   * tasks and consumers are what scales out; the rest stay single. Add new topics here.
   */
  public static List<TopicSpec> plan(int partitions) {
    return List.of(
        // A few hundred records at most; one partition keeps the header after its bands.
        TopicSpec.compacted(Topics.CONTEST_CATALOG, 1),
        // Event time is the broker's: ingest pods' clocks may disagree (see CheckVoteProcessor).
        TopicSpec.stampedOnAppend(Topics.VOTES_RAW, partitions),
        TopicSpec.of(Topics.VOTES_ACCEPTED, partitions),
        // Only refused votes, a small stream read by nobody in the hot path; one partition keeps it in order.
        TopicSpec.of(Topics.VOTES_REJECTED, 1),
        TopicSpec.compacted(Topics.TALLIES_BANDS, partitions),
        TopicSpec.compacted(Topics.TALLIES_ALBUMS, partitions),
        // Keys are unique per band and minute, so compaction keeps one value per window: a few
        // thousand records per contest day, small enough to keep for the whole contest.
        TopicSpec.compacted(Topics.TALLIES_BANDS_PER_MINUTE, partitions),
        // A handful of keys; one partition keeps them in one ordered changelog.
        TopicSpec.compacted(Topics.TALLIES_STATS, 1));
  }

  /** The plan at the default count, as a new local stack and every integration test lay topics out. */
  public static final List<TopicSpec> PLAN = plan(DEFAULT_PARTITIONS);

  /** Names of the topics whose partition count is the deployment's choice. */
  public static final Set<String> SCALED = scaled();

  private static Set<String> scaled() {
    Set<TopicSpec> single = Set.copyOf(plan(1));
    return plan(2).stream().filter(spec -> !single.contains(spec)).map(TopicSpec::name)
        .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Refusal to change a topic's partition count: voteIds would hash to other partitions, so a retry
   * would meet another task's dedup store and count twice, and the co-partitioned tallies would split.
   */
  public static final class PartitionCountException extends IllegalStateException {
    private final int created;

    PartitionCountException(String message, int created) {
      super(message);
      this.created = created;
    }

    /** The count the stack's scaled topics were created with. */
    public int created() {
      return created;
    }
  }

  private TopicSetup() {}

  /** Creates every topic of {@link #PLAN} that does not exist yet, at replication factor 1. */
  public static void createAll(String bootstrapServers) {
    createAll(bootstrapServers, (short) 1, AS_CREATED);
  }

  /** As {@link #createAll(String)}, with {@code replicationFactor} replicas per partition. */
  public static void createAll(String bootstrapServers, short replicationFactor) {
    createAll(bootstrapServers, replicationFactor, AS_CREATED);
  }

  /**
   * Creates every topic of {@link #plan} that does not exist yet, with {@code replicationFactor} replicas
   * per partition and {@code partitions} for the scaled topics ({@link #AS_CREATED}: as the stack's
   * topics already have, {@link #DEFAULT_PARTITIONS} for a new stack).
   *
   * @return the partition count of the scaled topics
   * @throws PartitionCountException when the stack's topics were created with another count, before anything
   *     is created
   */
  public static int createAll(String bootstrapServers, short replicationFactor, int partitions) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      int count = partitions == AS_CREATED
          ? existingCount(admin).orElse(DEFAULT_PARTITIONS)
          : partitions;
      createAll(admin, plan(count), replicationFactor);
      return count;
    }
  }

  /** The count the stack's scaled topics have, empty when none exists yet. */
  private static Optional<Integer> existingCount(Admin admin) {
    Map<String, Integer> counts = partitionCounts(admin, SCALED);
    if (counts.isEmpty()) {
      return Optional.empty();
    }
    // Should they differ, createAll names each one against the first.
    return Optional.of(counts.get(PLAN.stream().map(TopicSpec::name).filter(counts::containsKey).findFirst().orElseThrow()));
  }

  /**
   * Creates each spec's topic; one that already exists is fine if it has the spec's partition count.
   *
   * @return how many topics were newly created
   * @throws PartitionCountException when an existing topic has another partition count, before anything is
   *     created
   */
  public static int createAll(Admin admin, List<TopicSpec> specs, short replicationFactor) {
    refuseOtherCounts(specs, partitionCounts(admin, specs.stream().map(TopicSpec::name).toList()));
    List<NewTopic> topics = specs.stream()
        .map(spec -> new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(configs(spec, replicationFactor)))
        .toList();
    CreateTopicsResult result =
        admin.createTopics(topics, new CreateTopicsOptions().timeoutMs((int) TIMEOUT.toMillis()));
    List<String> existing = new ArrayList<>();
    for (Map.Entry<String, KafkaFuture<Void>> entry : result.values().entrySet()) {
      try {
        await(entry.getValue(), "creating topic " + entry.getKey());
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        existing.add(entry.getKey());
      }
    }
    applyConfigs(admin, specs, existing);
    awaitLeaders(admin, specs.stream().filter(spec -> !existing.contains(spec.name())).toList());
    int created = specs.size() - existing.size();
    log.info("Topics ready: {} planned, {} newly created", specs.size(), created);
    return created;
  }

  /** An existing topic gets the plan's configs, so a config added to the plan reaches an old data dir. */
  private static void applyConfigs(Admin admin, List<TopicSpec> specs, List<String> existing) {
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
    for (TopicSpec spec : specs) {
      if (existing.contains(spec.name()) && !spec.configs().isEmpty()) {
        changes.put(
            new ConfigResource(ConfigResource.Type.TOPIC, spec.name()),
            spec.configs().entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList());
      }
    }
    if (!changes.isEmpty()) {
      await(admin.incrementalAlterConfigs(changes).all(), "setting the plan's configs on " + changes.keySet());
    }
  }

  /**
   * An existing topic keeps its partition count: adding partitions would move keys (a retried voteId would
   * meet another task's dedup store) and break the co-partitioning Kafka Streams relies on; Kafka cannot
   * remove partitions at all. So another count is refused, naming each topic, rather than warned about.
   */
  static void refuseOtherCounts(List<TopicSpec> specs, Map<String, Integer> existing) {
    List<String> differ = new ArrayList<>();
    int created = -1;
    for (TopicSpec spec : specs) {
      Integer actual = existing.get(spec.name());
      if (actual != null && actual != spec.partitions()) {
        differ.add(spec.name() + " has " + actual + " partitions, not " + spec.partitions());
        created = created < 0 ? actual : created;
      }
    }
    if (!differ.isEmpty()) {
      throw new PartitionCountException("the topics exist with another partition count: " + String.join("; ", differ)
          + ". The count is chosen once, when the topics are created, and cannot change during a contest", created);
    }
  }

  /** Partition counts of those of {@code names} that exist. */
  static Map<String, Integer> partitionCounts(Admin admin, Collection<String> names) {
    Map<String, Integer> counts = new HashMap<>();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> entry
        : admin.describeTopics(names).topicNameValues().entrySet()) {
      try {
        counts.put(entry.getKey(), await(entry.getValue(), "describing topic " + entry.getKey()).partitions().size());
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    return counts;
  }

  /**
   * Returns once every new partition's leader serves requests. Right after creation a broker can still
   * answer NOT_LEADER_OR_FOLLOWER, and idempotent producers with several batches in flight have been
   * seen to stall on the retries (OUT_OF_ORDER_SEQUENCE_NUMBER) until their delivery timeout.
   * ListOffsets is answered by the leader itself. The admin client gives up at once when the topic is
   * not yet in its metadata, and Kafka offers no notification for "partition is led", so this retries
   * retriable errors with a short, bounded backoff. Existing topics were led before and are skipped.
   */
  private static void awaitLeaders(Admin admin, List<TopicSpec> created) {
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    for (TopicSpec spec : created) {
      for (int partition = 0; partition < spec.partitions(); partition++) {
        partitions.put(new TopicPartition(spec.name(), partition), OffsetSpec.latest());
      }
    }
    if (partitions.isEmpty()) {
      return;
    }
    String what = "waiting for the leaders of " + partitions.size() + " new partitions";
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    long backoffMs = 10;
    while (true) {
      try {
        await(admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs((int) TIMEOUT.toMillis())).all(), what);
        return;
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(backoffMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while " + what, e);
      }
      backoffMs = Math.min(backoffMs * 2, 200);
    }
  }

  /** With three replicas a write needs two in sync, as in the prod overlay: one node may be lost, never a write. */
  static Map<String, String> configs(TopicSpec spec, short replicationFactor) {
    if (replicationFactor < 3) {
      return spec.configs();
    }
    Map<String, String> configs = new HashMap<>(spec.configs());
    configs.put("min.insync.replicas", "2");
    return configs;
  }

  /** Waits for an admin future; failures carry the Kafka exception as their cause. */
  private static <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT.toMillis() + 1_000L, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " timed out after " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    }
  }
}
