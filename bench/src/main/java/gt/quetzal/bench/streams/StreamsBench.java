package gt.quetzal.bench.streams;

import gt.quetzal.bench.ProcStats;
import gt.quetzal.bench.results.BenchResults;
import gt.quetzal.bench.stack.Infra;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Topics;
import gt.quetzal.devstack.Devstack;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./quetzal bench streams}: how fast the streams app (exactly-once) catches up on a full
 * {@code votes.raw}, against Kafka's ConsumerPerformance reading the same records in the same run.
 *
 * <ol>
 *   <li>A throw-away devstack broker; {@code votes.raw} filled with {@link StreamsVoteMix} by a plain
 *       producer (acks=1, big batches) before anything reads it.
 *   <li>ConsumerPerformance reads all of it (its own JVM).
 *   <li>The streams app starts in its own JVM, with the launcher's JVM options, so its RSS is its own.
 *       Catch-up ends when its committed offsets on {@code votes.raw} reach the end and {@code
 *       /api/stats} counts every record (accepted + duplicates + rejected). The clock starts when
 *       it reports RUNNING (group joined), like ConsumerPerformance's fetch rate; the time from
 *       launch is reported too.
 * </ol>
 *
 * <p>{@code BENCH_STREAMS_APP=floor-copy|floor-dedup} runs a {@link StreamsFloor} in step 3 instead:
 * the same configuration with the least work, as a reference for the ratio. {@code
 * BENCH_STREAMS_SKEW} repeats all of it per vote mix (a hot band, say), {@code BENCH_STREAMS_INSTANCES}
 * step 3 per instance count, and {@code BENCH_STREAMS_PARTITIONS} sets the partitions first.
 */
public final class StreamsBench {

  private StreamsBench() {}

  public static void main(String[] args) throws Exception {
    StreamsBenchConfig config = StreamsBenchConfig.fromEnv(System.getenv());
    PrintStream out = System.out;
    BenchResults json = new BenchResults("streams", System.getenv());
    List<StreamsReport> results = new ArrayList<>();
    StringBuilder report = new StringBuilder();
    // Each skew on a broker of its own: a fresh votes.raw, and no leftover groups or state.
    for (StreamsVoteMix.Skew skew : config.skews()) {
      try (Devstack stack = Devstack.startEphemeral()) {
        results.addAll(run(config, skew, stack, out, report));
      }
    }
    if (results.size() > 1) {
      String summary = StreamsReport.summary(results);
      out.println(summary);
      report.append(summary);
    }
    if (config.output() != null) {
      Files.writeString(config.output(), report);
      out.println("bench streams: written to " + config.output());
    }
    results.forEach(r -> r.addTo(json));
    json.write(config.resultsDir(), out);
    System.exit(results.stream().allMatch(r -> r.catchUp().complete()) ? 0 : 1);
  }

  /**
   * The fill replays a contest that lasted {@link StreamsVoteMix#spanMillis} of event time. votes.raw
   * is stamped by the broker on append in a real stack, which would squeeze that contest into the
   * seconds the fill takes (fewer minutes, less work); the bench keeps the stamps it wrote.
   */
  private static void keepProducerTimestamps(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      AlterConfigOp createTime =
          new AlterConfigOp(new ConfigEntry("message.timestamp.type", "CreateTime"), AlterConfigOp.OpType.SET);
      admin.incrementalAlterConfigs(Map.of(resource, List.of(createTime))).all().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Raises every topic the devstack made with more than one partition to {@code partitions}, so
   * co-partitioned topics stay alike; only safe on empty topics, as here before the fill.
   */
  static void raisePartitions(Admin admin, int partitions) throws Exception {
    Map<String, TopicDescription> topics = admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get();
    Map<String, NewPartitions> raise = new TreeMap<>();
    topics.forEach((name, description) -> {
      int now = description.partitions().size();
      if (now > 1 && now < partitions && !description.isInternal()) {
        raise.put(name, NewPartitions.increaseTo(partitions));
      }
    });
    if (!raise.isEmpty()) {
      admin.createPartitions(raise).all().get(30, TimeUnit.SECONDS);
    }
  }

  static List<StreamsReport> run(
      StreamsBenchConfig config, StreamsVoteMix.Skew skew, Devstack stack, PrintStream out, StringBuilder report) throws Exception {
    String bootstrap = stack.bootstrapServers();
    String topic = Topics.VOTES_RAW.name();
    double loadAtStart = ProcStats.loadAverage1m();
    out.printf("bench streams: %,d votes (%s) into %s on %s (load average %.2f)%n",
        config.votes(), skew.label, topic, bootstrap, loadAtStart);

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      if (config.partitions() > 0) {
        raisePartitions(admin, config.partitions());
      }
      // 1. Fill.
      Catalog catalog = Catalog.load(config.catalogFile());
      // The app matches votes against the contest in contest.catalog, as on a real stack.
      stack.applyContest(catalog);
      long span = StreamsVoteMix.spanMillis(config.votes(), config.eventRate());
      long first = System.currentTimeMillis() - span - 5_000;
      StreamsVoteMix mix =
          new StreamsVoteMix(catalog, config.votes(), config.seed(), first, config.eventRate(), skew, config.hotShare());
      keepProducerTimestamps(bootstrap, topic);
      long fillStart = System.nanoTime();
      StreamsVoteMix.Counts counts = fill(bootstrap, topic, mix);
      double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
      out.printf(
          "  filled in %.1f s (%,.0f rec/s): %,d valid, %,d duplicates, %,d invalid; valid by band %s%n",
          fillSeconds, counts.total() / fillSeconds, counts.valid(), counts.duplicates(), counts.invalid(),
          new TreeMap<>(counts.validByBand()));

      Map<TopicPartition, Long> ends = endOffsets(admin, topic);
      long end = ends.values().stream().mapToLong(Long::longValue).sum();
      if (end != counts.total()) {
        throw new IllegalStateException(topic + " holds " + end + " records, expected " + counts.total());
      }

      // 2 and 3, per round: the yardstick, then the streams app (at each instance count) or a floor, in
      // turn, on the same records. Rounds repeat both, so a ratio can be read as a median of runs.
      List<StreamsReport> results = new ArrayList<>();
      for (int round = 1; round <= config.rounds(); round++) {
        if (config.rounds() > 1) {
          out.printf("  round %d of %d%n", round, config.rounds());
        }
        out.println("  ConsumerPerformance…");
        ConsumerBaseline.Summary baseline =
            ConsumerBaseline.run(ConsumerBaseline.command(bootstrap, topic, counts.total(), round));
        out.printf(
            "  ConsumerPerformance: %,d records, %,.0f rec/s overall, %,.0f rec/s fetching (join %d ms)%n",
            baseline.records(), baseline.recordsPerSec(), baseline.fetchRecordsPerSec(), baseline.rebalanceMs());
        for (StreamsBenchConfig.App app : config.apps()) {
          for (int instances : app.isFloor() ? List.of(1) : config.instances()) {
            CatchUp catchUp = CatchUp.measure(config, app, instances, round, Infra.of(stack), admin, ends, counts, out);
            StreamsReport result =
                new StreamsReport(config, app, skew, ends.size(), counts, fillSeconds, baseline, catchUp, loadAtStart, round);
            results.add(result);
            String markdown = result.markdown();
            out.println();
            out.println(markdown);
            report.append(markdown).append('\n');
          }
        }
      }
      return results;
    }
  }

  private static StreamsVoteMix.Counts fill(String bootstrap, String topic, StreamsVoteMix mix) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false); // idempotence needs acks=all
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> firstError = new AtomicReference<>();
    StreamsVoteMix.Counts counts;
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      counts =
          mix.forEach(
              vote ->
                  producer.send(
                      new ProducerRecord<>(topic, null, vote.timestamp(), vote.key(), vote.value()),
                      (metadata, error) -> {
                        if (error != null) {
                          failed.incrementAndGet();
                          firstError.compareAndSet(null, error);
                        }
                      }));
      producer.flush();
    }
    // Fire-and-forget failures are silent (a timestamp out of bounds, say); a short topic would
    // make the catch-up look faster than it is.
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " votes were not written", firstError.get());
    }
    return counts;
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }
}
