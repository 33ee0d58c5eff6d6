package gt.quetzal.load.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the Locust processes of one run wrote to their outcomes directory: every {@code
 * outcomes-<tag>.csv} (one line per vote) and its {@code summary-<tag>.json} (the process's own
 * counts, written when the test stopped). A process that died early leaves no summary, and a summary
 * whose counts differ from its CSV means lines were lost; both are reported as problems, because the
 * reconciliation would otherwise compare the pipeline with an incomplete list of what was sent.
 *
 * @param sends     every vote of every process
 * @param problems  what makes the log untrustworthy; empty when complete
 * @param processes what each Locust process said about itself in its summary
 */
public record RunLog(List<Send> sends, List<String> problems, List<Process> processes) {

  static final String HEADER = "voteId,route,row,outcome,status,attempts,startMs,latencyMs";

  /**
   * One Locust process: the routes it sent votes on, the CPU it burnt over the test's wall time (a
   * ratio near 1 means Locust itself, single-threaded, was the bottleneck), and the CPU time the ingest
   * service it drove reported over the same time (NaN when it was not asked to read it).
   */
  public record Process(Set<String> routes, double cpuSeconds, double wallSeconds, double ingestCpuSeconds) {
    public double cpuShare() {
      return wallSeconds > 0 ? cpuSeconds / wallSeconds : Double.NaN;
    }
  }

  public RunLog {
    sends = List.copyOf(sends);
    problems = List.copyOf(problems);
    processes = List.copyOf(processes);
  }

  public RunLog(List<Send> sends, List<String> problems) {
    this(sends, problems, List.of());
  }

  /** The run prefixes found in the voteIds (one per run; a launcher's phases share one). */
  public Set<String> runIds() {
    Set<String> ids = new TreeSet<>();
    for (Send send : sends) {
      ids.add(send.runId());
    }
    return ids;
  }

  /** Routes in the order first seen, e.g. http then grpc. */
  public List<String> routes() {
    return sends.stream().map(Send::route).distinct().toList();
  }

  /** Counts of each outcome over all routes. */
  public Map<Send.Outcome, Long> outcomes() {
    Map<Send.Outcome, Long> counts = new EnumMap<>(Send.Outcome.class);
    for (Send.Outcome outcome : Send.Outcome.values()) {
      counts.put(outcome, 0L);
    }
    sends.forEach(s -> counts.merge(s.outcome(), 1L, Long::sum));
    return counts;
  }

  public static RunLog read(Path dir) {
    List<Send> sends = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<Process> processes = new ArrayList<>();
    List<Path> csvs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "outcomes-*.csv")) {
      files.forEach(csvs::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    csvs.sort(null);
    if (csvs.isEmpty()) {
      problems.add("no outcomes-*.csv in " + dir + ": did Locust run with --outcomes-dir there?");
    }
    for (Path csv : csvs) {
      String tag = csv.getFileName().toString().replaceFirst("^outcomes-", "").replaceFirst("\\.csv$", "");
      List<Send> fromFile = readCsv(csv, problems);
      sends.addAll(fromFile);
      Process process = checkSummary(dir.resolve("summary-" + tag + ".json"), csv, fromFile, problems);
      if (process != null) {
        processes.add(process);
      }
    }
    return new RunLog(sends, problems, processes);
  }

  private static List<Send> readCsv(Path csv, List<String> problems) {
    List<Send> sends = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null || !header.strip().equals(HEADER)) {
        problems.add(csv.getFileName() + ": not an outcomes file (header should be " + HEADER + ")");
        return sends;
      }
      String line;
      int number = 1;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        // voteIds are [A-Za-z0-9._:-], so no field is ever quoted.
        String[] f = line.strip().split(",", -1);
        try {
          if (f.length != 8) {
            throw new IllegalArgumentException("expected 8 fields, got " + f.length);
          }
          sends.add(
              new Send(
                  f[0],
                  f[1],
                  Integer.parseInt(f[2]),
                  Send.Outcome.valueOf(f[3].toUpperCase(Locale.ROOT)),
                  Integer.parseInt(f[4]),
                  Integer.parseInt(f[5]),
                  Long.parseLong(f[6]),
                  Double.parseDouble(f[7])));
        } catch (IllegalArgumentException e) {
          problems.add(csv.getFileName() + " line " + number + ": " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + csv, e);
    }
    return sends;
  }

  /** Checks a process's summary against its CSV; returns what it says about the process, if readable. */
  private static Process checkSummary(Path summary, Path csv, List<Send> sends, List<String> problems) {
    if (!Files.exists(summary)) {
      problems.add(
          summary.getFileName() + " is missing: the Locust process writing " + csv.getFileName()
              + " did not stop cleanly, so its outcomes may be incomplete");
      return null;
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readAllBytes(summary));
    } catch (IOException e) {
      problems.add(summary.getFileName() + ": unreadable (" + e.getMessage() + ")");
      return null;
    }
    Map<String, Long> logged = new TreeMap<>();
    sends.forEach(s -> logged.merge(s.route(), 1L, Long::sum));
    Map<String, Long> reported = new TreeMap<>();
    JsonNode routes = root.path("routes");
    for (Iterator<Map.Entry<String, JsonNode>> it = routes.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> route = it.next();
      long sent = route.getValue().path("sent").asLong();
      if (sent > 0) {
        reported.put(route.getKey(), sent);
      }
    }
    if (!logged.equals(reported)) {
      problems.add(
          csv.getFileName() + " lists " + logged + " votes per route but its summary says " + reported
              + ": outcome lines were lost");
    }
    JsonNode ingestCpu = root.path("ingestCpuSeconds");
    return new Process(
        Set.copyOf(reported.keySet()),
        root.path("cpuSeconds").asDouble(0),
        root.path("wallSeconds").asDouble(0),
        ingestCpu.isNumber() ? ingestCpu.asDouble() : Double.NaN);
  }
}
