package gt.quetzal.bench.ingest;

import gt.quetzal.bench.KafkaTool;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.KafkaPublisherConfig;
import gt.quetzal.ingest.core.UuidV7Generator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The yardstick of the ingest benchmark: Kafka's own {@code ProducerPerformance} ({@link KafkaTool}) on
 * its own topic with the same partition count as {@code votes.raw}, sending what the routes send with
 * the same producer: every property of the ingest producer ({@link KafkaPublisherConfig#producerProperties()}:
 * acks, idempotence, in-flight requests, linger, batch size, compression), and records of the same shape,
 * the votes the routes send as ingest writes them to {@code votes.raw} ({@link #payloads}), keyed and so
 * spread over the partitions by the key's hash like the voteId keys.
 */
final class ProducerBaseline {

  static final String TOPIC = "bench.baseline";
  static final int PARTITIONS = 3;

  private static final Pattern RATE = Pattern.compile("([0-9.]+) records/sec");
  private static final Pattern P50 = Pattern.compile("([0-9.]+) ms 50th");
  private static final Pattern P99 = Pattern.compile("([0-9.]+) ms 99th");

  /** The tool's final summary line, parsed. */
  record Summary(double recordsPerSec, double p50Ms, double p99Ms, String line) {}

  private ProducerBaseline() {}

  static void createTopic(String bootstrap) throws ExecutionException, InterruptedException {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
    }
  }

  /**
   * The tool's keys are decimal integers below this, 9 or 10 digits for nearly all ({@code --key-distribution
   * random}); a voteId is a 36-character UUID, so each payload carries the difference as padding.
   */
  static final int KEY_RANGE = Integer.MAX_VALUE;
  static final int KEY_PADDING = 36 - Integer.toString(KEY_RANGE).length();

  /**
   * One payload per vote: the {@code votes.raw} value ingest writes for it (a UUIDv7 voteId, channel http,
   * a receivedAt of now), then {@link #KEY_PADDING} spaces so that key and value together are as long as
   * a route's record. The tool reads one payload per line and sends a random one per record.
   */
  static List<String> payloads(List<Map<String, String>> votes) {
    UuidV7Generator ids = new UuidV7Generator(Clock.systemUTC());
    Serializer<VoteEvent> serializer = Topics.VOTES_RAW.valueSerde().serializer();
    long now = System.currentTimeMillis();
    String padding = " ".repeat(KEY_PADDING);
    List<String> payloads = new ArrayList<>(votes.size());
    for (Map<String, String> vote : votes) {
      VoteEvent event = new VoteEvent(ids.nextString(), vote.get("name"), vote.get("album"),
          Integer.parseInt(vote.get("year")), Integer.parseInt(vote.get("rank")), null, VoteEvent.CHANNEL_HTTP, now);
      payloads.add(new String(serializer.serialize(Topics.VOTES_RAW.name(), event), StandardCharsets.UTF_8) + padding);
    }
    return payloads;
  }

  /** Writes {@link #payloads} where the tool reads them ({@code --payload-file}, one per line). */
  static Path writePayloadFile(List<Map<String, String>> votes) throws IOException {
    Path file = Files.createTempFile("quetzal-bench-baseline-", ".payloads");
    file.toFile().deleteOnExit();
    return Files.writeString(file, String.join("\n", payloads(votes)), StandardCharsets.UTF_8);
  }

  /**
   * The command line, for the record in docs/benchmarks.md: {@code producer}'s properties (the ingest
   * producer's; its client id aside) as {@code --command-property}, against {@code bootstrap}.
   */
  static List<String> command(String bootstrap, long records, Map<String, Object> producer, Path payloadFile) {
    List<String> arguments = new ArrayList<>(List.of(
        "--topic", TOPIC,
        "--num-records", Long.toString(records),
        "--payload-file", payloadFile.toString(),
        "--key-distribution", "random",
        "--record-key-range", Integer.toString(KEY_RANGE),
        "--throughput", "-1",
        "--bootstrap-server", bootstrap,
        "--command-property"));
    new TreeMap<>(producer).forEach((name, value) -> {
      if (!name.equals(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) && !name.equals(ProducerConfig.CLIENT_ID_CONFIG)) {
        arguments.add(name + "=" + value);
      }
    });
    return KafkaTool.command("ProducerPerformance", arguments);
  }

  /** Runs the tool to completion, echoing its progress lines to {@code progress}. */
  static Summary run(List<String> command, PrintStream progress) throws IOException, InterruptedException {
    List<String> rates = KafkaTool.run(command, line -> {
      if (line.contains("records/sec")) {
        progress.println("    " + line);
      }
    }).stream().filter(line -> line.contains("records/sec")).toList();
    if (rates.isEmpty()) {
      throw new IllegalStateException("ProducerPerformance printed no summary");
    }
    return parse(rates.get(rates.size() - 1));
  }

  static Summary parse(String line) {
    return new Summary(number(RATE, line), number(P50, line), number(P99, line), line);
  }

  private static double number(Pattern pattern, String line) {
    Matcher m = pattern.matcher(line);
    if (!m.find()) {
      throw new IllegalArgumentException("no " + pattern.pattern() + " in: " + line);
    }
    return Double.parseDouble(m.group(1));
  }
}
