package gt.quetzal.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Makes {@code contest.catalog} say a given contest, writing only what differs: changed or new bands,
 * tombstones for removed ones, then the header, all in one transaction, so every reader sees the old
 * contest or the new one and never half of it. Run by {@code ./quetzal contest apply}, the
 * Kubernetes catalog Job and the devstack as {@code ./quetzal up} starts; never by a service.
 */
public final class ContestApply {

  /** One record to write; {@code entry == null} is a tombstone. */
  public record Change(String key, CatalogEntry entry) {}

  /** What an apply did. */
  public record Result(List<String> added, List<String> changed, List<String> removed, boolean headerChanged) {
    public boolean nothingChanged() {
      return added.isEmpty() && changed.isEmpty() && removed.isEmpty() && !headerChanged;
    }

    public String describe() {
      return nothingChanged()
          ? "unchanged"
          : added.size() + " bands added, " + changed.size() + " changed, " + removed.size() + " removed"
              + (headerChanged ? ", contest header written" : "");
    }
  }

  private ContestApply() {}

  /**
   * The records that turn {@code current} into {@code target}, bands first and the header last.
   *
   * @param target the catalog to run, or {@code null} for an open contest (every band record is
   *     removed: an open contest has none)
   * @throws IllegalArgumentException when the target catalog is ambiguous (two bands, or two albums of
   *     one band, that fold to one name)
   */
  public static List<Change> plan(ContestState current, Catalog target) {
    Map<String, CatalogEntry.Band> wanted = new LinkedHashMap<>();
    CatalogEntry.Contest header;
    if (target == null) {
      header = new CatalogEntry.Contest("", true);
    } else {
      CatalogIndex.of(target); // refuses an ambiguous catalog before anything is written
      header = new CatalogEntry.Contest(target.contest(), false);
      for (Catalog.Band band : target.bands()) {
        wanted.put(CatalogEntry.keyOf(band.name()), CatalogEntry.Band.of(band));
      }
    }
    Map<String, CatalogEntry.Band> existing = current.bandRecords();
    List<Change> changes = new ArrayList<>();
    wanted.forEach(
        (key, band) -> {
          if (!band.equals(existing.get(key))) {
            changes.add(new Change(key, band));
          }
        });
    existing.keySet().stream()
        .filter(key -> !wanted.containsKey(key))
        .sorted()
        .forEach(key -> changes.add(new Change(key, null)));
    if (!current.header().map(header::equals).orElse(false)) {
      changes.add(new Change(CatalogEntry.CONTEST_KEY, header));
    }
    return changes;
  }

  /** What {@link #plan} would do, in words. */
  public static Result summarise(ContestState current, List<Change> changes) {
    Map<String, CatalogEntry.Band> existing = current.bandRecords();
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    boolean header = false;
    for (Change change : changes) {
      if (CatalogEntry.CONTEST_KEY.equals(change.key())) {
        header = true;
      } else if (change.entry() == null) {
        removed.add(existing.get(change.key()).name());
      } else {
        String name = ((CatalogEntry.Band) change.entry()).name();
        (existing.containsKey(change.key()) ? changed : added).add(name);
      }
    }
    return new Result(added, changed, removed, header);
  }

  /**
   * Reads the contest, then makes the topic say {@code target}, as {@code contest apply} does.
   *
   * @param target the catalog to run, or {@code null} for an open contest
   * @param ifAbsent apply only when no contest was ever applied (a fresh stack), else keep it
   * @return what it did, e.g. {@code contest "X" with 8 bands: 8 bands added, ...} or {@code kept ...}
   * @throws IllegalArgumentException when the target catalog is ambiguous ({@link #plan})
   * @throws IllegalStateException when Kafka cannot be read within {@code timeout}
   */
  public static String apply(Map<String, Object> clientConfig, Catalog target, boolean ifAbsent, Duration timeout)
      throws InterruptedException {
    ContestState current = read(clientConfig, timeout);
    if (ifAbsent && current.applied()) {
      return "kept " + ContestFollower.describe(current.index()) + " (applied earlier)";
    }
    List<Change> changes = plan(current, target);
    Result result = summarise(current, changes);
    write(clientConfig, changes);
    changes.forEach(change -> current.apply(change.key(), change.entry()));
    return ContestFollower.describe(current.index()) + ": " + result.describe();
  }

  /** Reads the contest as committed now. */
  public static ContestState read(Map<String, Object> clientConfig, Duration timeout) throws InterruptedException {
    ContestState[] seen = new ContestState[1];
    try (ContestFollower follower = ContestFollower.start(clientConfig, state -> seen[0] = state)) {
      if (!follower.awaitCaughtUp(timeout)) {
        throw new IllegalStateException(
            "could not read " + Topics.CONTEST_CATALOG.name() + " within " + timeout
                + " (is Kafka up, and was the topic created by topic setup?)");
      }
      // The listener ran on the follower's thread before the latch opened; closing joins it.
      follower.close();
      return seen[0];
    }
  }

  /**
   * Writes {@code changes} in one transaction.
   *
   * @param clientConfig Kafka client settings (at least {@code bootstrap.servers})
   */
  public static void write(Map<String, Object> clientConfig, List<Change> changes) {
    if (changes.isEmpty()) {
      return;
    }
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "quetzal-contest-apply");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    var topic = Topics.CONTEST_CATALOG;
    try (KafkaProducer<String, CatalogEntry> producer =
        new KafkaProducer<>(config, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (Change change : changes) {
        producer.send(new ProducerRecord<>(topic.name(), change.key(), change.entry()));
      }
      producer.commitTransaction();
    }
  }
}
