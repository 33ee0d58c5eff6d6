package gt.quetzal.bench.streams;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The yardstick of the streams benchmark: Kafka's own {@code org.apache.kafka.tools.ConsumerPerformance}
 * reading the same {@code votes.raw} records, in its own JVM as Kafka's scripts run it.
 */
final class ConsumerBaseline {

  private static final String TOOL = "org.apache.kafka.tools.ConsumerPerformance";

  /**
   * The tool's result row.
   *
   * @param recordsPerSec      records over the whole run, group join included
   * @param fetchRecordsPerSec records over the fetch time only (join excluded)
   */
  record Summary(long records, double recordsPerSec, double fetchRecordsPerSec, long rebalanceMs, String line) {}

  private ConsumerBaseline() {}

  static List<String> command(String bootstrap, String topic, long records) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(TOOL);
    command.addAll(
        List.of(
            "--bootstrap-server", bootstrap,
            "--topic", topic,
            "--num-records", Long.toString(records),
            "--group", "bench-consumer-performance",
            "--timeout", "30000"));
    return command;
  }

  static Summary run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    }
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("ConsumerPerformance failed: " + String.join("\n", lines));
    }
    return parse(lines);
  }

  /** Finds the header ({@code start.time, ...}) and reads the row after it by column name. */
  static Summary parse(List<String> lines) {
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("start.time")) {
        List<String> header = split(lines.get(i));
        List<String> row = split(lines.get(i + 1));
        return new Summary(
            (long) Double.parseDouble(row.get(header.indexOf("data.consumed.in.nMsg"))),
            Double.parseDouble(row.get(header.indexOf("nMsg.sec"))),
            Double.parseDouble(row.get(header.indexOf("fetch.nMsg.sec"))),
            (long) Double.parseDouble(row.get(header.indexOf("rebalance.time.ms"))),
            lines.get(i + 1));
      }
    }
    throw new IllegalArgumentException("no ConsumerPerformance result in: " + String.join("\n", lines));
  }

  private static List<String> split(String line) {
    return List.of(line.trim().split("\\s*,\\s*"));
  }
}
