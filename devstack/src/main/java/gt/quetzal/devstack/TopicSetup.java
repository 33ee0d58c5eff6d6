package gt.quetzal.devstack;

import gt.quetzal.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin step that creates the project's topics. Applications never create topics themselves:
 * only the devstack and the deployment's topic Job run this, so partition counts live in one place.
 */
public final class TopicSetup {

  private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The partition plan. Add new topics here; existing ones are left as they are. */
  public static final List<TopicSpec> PLAN = List.of(
      // A few hundred records at most; one partition keeps the header after its bands.
      TopicSpec.compacted(Topics.CONTEST_CATALOG, 1),
      // Event time is the broker's: ingest pods' clocks may disagree (see ValidateVoteProcessor).
      TopicSpec.stampedOnAppend(Topics.VOTES_RAW, 3),
      TopicSpec.of(Topics.VOTES_ACCEPTED, 3),
      TopicSpec.of(Topics.VOTES_REJECTED, 1),
      TopicSpec.compacted(Topics.TALLIES_BANDS, 3),
      TopicSpec.compacted(Topics.TALLIES_ALBUMS, 3),
      // Keys are unique per band and minute, so compaction keeps one value per window: a few
      // thousand records per contest day, small enough to keep for the whole contest.
      TopicSpec.compacted(Topics.TALLIES_BANDS_PER_MINUTE, 3),
      // A handful of keys; one partition keeps them in one ordered changelog.
      TopicSpec.compacted(Topics.TALLIES_STATS, 1));

  private TopicSetup() {}

  /** Creates every topic of {@link #PLAN} that does not exist yet, at replication factor 1. */
  public static void createAll(String bootstrapServers) {
    createAll(bootstrapServers, (short) 1);
  }

  /** As {@link #createAll(String)}, with {@code replicationFactor} replicas per partition. */
  public static void createAll(String bootstrapServers, short replicationFactor) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      createAll(admin, PLAN, replicationFactor);
    }
  }

  /**
   * Creates each spec's topic; one that already exists is fine (its partition count is not changed).
   *
   * @return how many topics were newly created
   */
  public static int createAll(Admin admin, List<TopicSpec> specs, short replicationFactor) {
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
    warnAboutDrift(admin, specs, existing);
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
   * An existing topic keeps its partition count: adding partitions would move keys and break the
   * co-partitioning Kafka Streams relies on. A mismatch is reported so an old data dir is noticed.
   */
  private static void warnAboutDrift(Admin admin, List<TopicSpec> specs, List<String> existing) {
    if (existing.isEmpty()) {
      return;
    }
    Map<String, TopicDescription> described =
        await(admin.describeTopics(existing).allTopicNames(), "describing topics " + existing);
    for (TopicSpec spec : specs) {
      TopicDescription actual = described.get(spec.name());
      if (actual != null && actual.partitions().size() != spec.partitions()) {
        log.warn("Topic {} has {} partitions but the plan says {}; it is left as it is "
            + "(delete the data dir to start over)", spec.name(), actual.partitions().size(), spec.partitions());
      }
    }
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
