package gt.quetzal.bench.results;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.bench.ProcStats;
import gt.quetzal.contract.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * A bench run's results as JSON, for programs (the capacity model) rather than people: the commit,
 * the date, the machine, the settings, and one object per measured stage and route. Each bench
 * writes {@code <BENCH_RESULTS_DIR>/<bench>.json} (default {@code .quetzal/bench-results/}), replacing
 * the previous run's; docs/bench-results/ holds a recorded set. The layout is in docs/capacity.md.
 */
public final class BenchResults {

  /** Bumped when a field changes meaning, so a reader can refuse what it does not understand. */
  public static final int FORMAT = 1;

  private final String bench;
  private final ObjectNode root = Json.MAPPER.createObjectNode();
  private final ArrayNode results;
  private final ObjectNode settings;

  /** Starts the record of one run, at its start: the commit and the machine as it is now. */
  public BenchResults(String bench, Map<String, String> environment) {
    this.bench = bench;
    root.put("format", FORMAT);
    root.put("bench", bench);
    root.put("commit", environment.getOrDefault("QUETZAL_COMMIT", "unknown"));
    root.putNull("date");
    ObjectNode machine = root.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("memoryGib", ProcStats.totalMemoryGib());
    machine.put("java", System.getProperty("java.version"));
    machine.put("loadAverageAtStart", ProcStats.loadAverage1m());
    settings = root.putObject("settings");
    // Every BENCH_* variable that was set: the run's knobs, as the launcher passed them.
    environment.entrySet().stream()
        .filter(e -> e.getKey().startsWith("BENCH_") && !e.getKey().equals("BENCH_STREAMS_CLASSPATH")
            && !e.getKey().equals(ResultsDir.VARIABLE))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> settings.put(e.getKey(), e.getValue()));
    results = root.putArray("results");
  }

  /**
   * One measured figure set; the caller fills it. Conventional fields: {@code stage} (broker, ingest,
   * streams, sinks), {@code route}, {@code votesPerSec}, {@code cpuUsPerVote}, {@code rssMiB}.
   */
  public ObjectNode add(String stage, String route) {
    ObjectNode result = results.addObject();
    result.put("stage", stage);
    result.put("route", route);
    return result;
  }

  /** Writes the file (the machine's load average at the end included) and says where. */
  public Path write(Path dir, PrintStream out) {
    root.put("date", OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString()); // the run's end
    ((ObjectNode) root.get("machine")).put("loadAverageAtEnd", ProcStats.loadAverage1m());
    Path file = dir.resolve(bench + ".json");
    try {
      Files.createDirectories(dir);
      Files.writeString(file, Json.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    out.println("results written to " + file);
    return file;
  }

  /** Six significant digits (tiny ratios such as script calls per vote keep theirs); NaN and infinities, not JSON, become null. */
  public static void putNumber(ObjectNode node, String field, double value) {
    if (Double.isFinite(value)) {
      node.put(field, Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6g", value)));
    } else {
      node.putNull(field);
    }
  }
}
