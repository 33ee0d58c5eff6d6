package gt.quetzal.bench.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The yardstick: Kafka's own {@code org.apache.kafka.tools.ProducerPerformance} (kafka-tools), 100
 * byte records, {@code acks=all}, on its own topic with the same partition count as {@code
 * votes.raw} and the same linger and batch size as the ingest producer. It runs in its own JVM, as
 * Kafka's scripts run it, so its numbers are Kafka's and not ours.
 */
final class ProducerBaseline {

  static final String TOPIC = "bench.baseline";
  static final int PARTITIONS = 3;
  private static final String TOOL = "org.apache.kafka.tools.ProducerPerformance";

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
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(TOOL);
    command.addAll(
        List.of(
            "--topic", TOPIC,
            "--num-records", Long.toString(records),
            "--record-size", "100",
            "--throughput", "-1",
            "--producer-props",
            "bootstrap.servers=" + bootstrap,
            "acks=all",
            "linger.ms=" + lingerMs,
            "batch.size=" + batchSize));
    return command;
  }

  /** Runs the tool to completion, echoing its progress lines to {@code progress}. */
  static Summary run(List<String> command, PrintStream progress) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String last = null;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.contains("records/sec")) {
          progress.println("    " + line);
          last = line;
        }
      }
    }
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("ProducerPerformance failed (exit " + process.exitValue() + "); last line: " + last);
    }
    if (last == null) {
      throw new IllegalStateException("ProducerPerformance printed no summary");
    }
    return parse(last);
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
