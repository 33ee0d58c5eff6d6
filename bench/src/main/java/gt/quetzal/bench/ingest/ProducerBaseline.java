package gt.quetzal.bench.ingest;

import gt.quetzal.bench.KafkaTool;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The yardstick of the ingest benchmark: Kafka's own {@code ProducerPerformance} ({@link KafkaTool}), 100
 * byte records, {@code acks=all}, on its own topic with the same partition count as {@code votes.raw}
 * and the same linger and batch size as the ingest producer.
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

  /** The command line, for the record in docs/benchmarks.md. */
  static List<String> command(String bootstrap, long records, int lingerMs, int batchSize) {
    return KafkaTool.command("ProducerPerformance", List.of(
        "--topic", TOPIC,
        "--num-records", Long.toString(records),
        "--record-size", "100",
        "--throughput", "-1",
        "--producer-props",
        "bootstrap.servers=" + bootstrap,
        "acks=all",
        "linger.ms=" + lingerMs,
        "batch.size=" + batchSize));
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
