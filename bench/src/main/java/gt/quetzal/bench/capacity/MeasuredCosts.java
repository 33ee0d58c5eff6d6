package gt.quetzal.bench.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The capacity model's measured inputs, read from the benches' JSON results (ingest.json,
 * streams.json, sinks.json in one directory): CPU per vote per ingest route, per record for the
 * broker, per vote for the streams app and the sinks, and the streams app's RSS.
 *
 * @param ingestUsPerVote  route → CPU µs per vote (the ingest bench's whole JVM: service, driver and
 *                         broker, so an upper bound for the service alone)
 * @param brokerUsPerRecord ProducerPerformance's CPU µs per record (tool and broker)
 * @param streamsUsPerVote the streams app's CPU µs per vote while catching up, one instance, for the
 *                         chosen skew
 * @param streamsRssMiB    that run's peak RSS
 * @param sinksUsPerVote   the sinks' own threads' CPU µs per vote
 * @param runs             file → "commit, date, cores, load" lines for the record
 */
public record MeasuredCosts(
    Map<String, Double> ingestUsPerVote,
    double brokerUsPerRecord,
    double streamsUsPerVote,
    long streamsRssMiB,
    double sinksUsPerVote,
    Map<String, String> runs) {

  public static final List<String> ROUTES = List.of("http-single", "http-batch", "grpc-unary", "grpc-stream");

  public MeasuredCosts {
    ingestUsPerVote = Collections.unmodifiableMap(new LinkedHashMap<>(ingestUsPerVote));
    runs = Collections.unmodifiableMap(new LinkedHashMap<>(runs));
  }

  /** Reads {@code dir}; every missing file or figure is named in one exception. */
  public static MeasuredCosts read(Path dir, String skew) {
    List<String> missing = new ArrayList<>();
    Map<String, String> runs = new LinkedHashMap<>();
    JsonNode ingest = load(dir, "ingest", missing, runs);
    JsonNode streams = load(dir, "streams", missing, runs);
    JsonNode sinks = load(dir, "sinks", missing, runs);
    Map<String, Double> routes = new LinkedHashMap<>();
    for (String route : ROUTES) {
      routes.put(route, figure(ingest, "ingest", route, null, "cpuUsPerVote", missing));
    }
    double broker = figure(ingest, "broker", "producer-performance", null, "cpuUsPerVote", missing);
    double streamsCpu = figure(streams, "streams", "quetzal", skew, "cpuUsPerVote", missing);
    double streamsRss = figure(streams, "streams", "quetzal", skew, "rssMiB", missing);
    double sinksCpu = figure(sinks, "sinks", "redis+mongodb", null, "cpuUsPerVote", missing);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("bench results in " + dir + " lack: " + String.join("; ", missing));
    }
    return new MeasuredCosts(routes, broker, streamsCpu, (long) streamsRss, sinksCpu, runs);
  }

  private static JsonNode load(Path dir, String bench, List<String> missing, Map<String, String> runs) {
    Path file = dir.resolve(bench + ".json");
    if (!Files.isRegularFile(file)) {
      missing.add(file + " (run ./quetzal bench " + bench + ")");
      return null;
    }
    try {
      JsonNode root = Json.MAPPER.readTree(Files.readString(file));
      JsonNode machine = root.path("machine");
      runs.put(bench + ".json", String.format(java.util.Locale.ROOT, "commit %s, %s, %d cores, load average %.1f → %.1f",
          root.path("commit").asText("?"), root.path("date").asText("?"), machine.path("cores").asInt(),
          machine.path("loadAverageAtStart").asDouble(), machine.path("loadAverageAtEnd").asDouble()));
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * The field of the result with that stage and route (and skew, for the streams app: the run with
   * the fewest instances, whose CPU per vote carries no rebalancing).
   */
  private static double figure(JsonNode root, String stage, String route, String skew, String field, List<String> missing) {
    if (root == null) {
      return Double.NaN;
    }
    JsonNode best = null;
    for (JsonNode r : root.path("results")) {
      if (r.path("stage").asText().equals(stage) && r.path("route").asText().equals(route)
          && (skew == null || r.path("skew").asText().equals(skew)) && r.path(field).isNumber()
          && (best == null || r.path("instances").asInt(1) < best.path("instances").asInt(1))) {
        best = r;
      }
    }
    if (best == null) {
      missing.add(root.path("bench").asText() + ".json: " + field + " of " + stage + " " + route + (skew == null ? "" : " (skew " + skew + ")"));
      return Double.NaN;
    }
    return best.path(field).asDouble();
  }
}
