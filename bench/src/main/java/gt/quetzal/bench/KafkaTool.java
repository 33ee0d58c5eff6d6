package gt.quetzal.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One of Kafka's own performance tools (kafka-tools: {@code ProducerPerformance}, {@code
 * ConsumerPerformance}) run in its own JVM, as Kafka's scripts run it, so its numbers are Kafka's and
 * not ours: the yardsticks of the benchmarks.
 */
public final class KafkaTool {

  private KafkaTool() {}

  /** {@code java -Xmx512m -cp <this classpath> org.apache.kafka.tools.<tool> <arguments>}. */
  public static List<String> command(String tool, List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.apache.kafka.tools." + tool);
    command.addAll(arguments);
    return command;
  }

  /**
   * Runs the tool to completion and returns every line it printed, each also handed to {@code
   * progress} as it comes.
   *
   * @throws IllegalStateException when it fails or does not exit within a minute of closing its output
   */
  public static List<String> run(List<String> command, Consumer<String> progress)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        progress.accept(line);
      }
    }
    String tool = command.get(command.indexOf("-cp") + 2);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(tool + " did not exit");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(tool + " failed (exit " + process.exitValue() + "):\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
    return lines;
  }
}
