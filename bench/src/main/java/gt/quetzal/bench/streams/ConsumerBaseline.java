package gt.quetzal.bench.streams;

import gt.quetzal.bench.KafkaTool;
import java.io.IOException;
import java.util.List;

/**
 * The yardstick of the streams benchmark: Kafka's own {@code ConsumerPerformance} ({@link KafkaTool})
 * reading the same {@code votes.raw} records.
 */
final class ConsumerBaseline {

  /**
   * The tool's result row.
   *
   * @param recordsPerSec      records over the whole run, group join included
   * @param fetchRecordsPerSec records over the fetch time only (join excluded)
   */
  record Summary(long records, double recordsPerSec, double fetchRecordsPerSec, long rebalanceMs, String line) {}

  private ConsumerBaseline() {}

  /** Round {@code round}'s run reads from the start under a group of its own. */
  static List<String> command(String bootstrap, String topic, long records, int round) {
    return KafkaTool.command("ConsumerPerformance", List.of(
        "--bootstrap-server", bootstrap,
        "--topic", topic,
        "--num-records", Long.toString(records),
        "--group", round == 1 ? "bench-consumer-performance" : "bench-consumer-performance-r" + round,
        "--timeout", "30000"));
  }

  static Summary run(List<String> command) throws IOException, InterruptedException {
    return parse(KafkaTool.run(command, line -> {}));
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
