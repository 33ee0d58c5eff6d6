package gt.quetzal.bench.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.bench.results.BenchResults;
import java.time.Instant;
import java.util.List;

/** Everything one catch-up measured, and its markdown as docs/benchmarks.md shows it. */
record StreamsReport(
    StreamsBenchConfig config,
    StreamsBenchConfig.App app,
    StreamsVoteMix.Skew skew,
    int partitions,
    StreamsVoteMix.Counts counts,
    double fillSeconds,
    ConsumerBaseline.Summary baseline,
    CatchUp catchUp,
    double loadAtStart,
    int round) {

  double catchUpRate() {
    return counts.total() * 1000.0 / catchUp.catchUpMs();
  }

  /** App CPU per record from RUNNING to done: roughly what a record costs, whatever else shares the machine. */
  double cpuUsPerVote() {
    return catchUp.catchUpCpuMillis() * 1000.0 / counts.total();
  }

  /** The figures for programs (streams.json): one object per catch-up. */
  void addTo(BenchResults results) {
    ObjectNode o = results.add("streams", app.label);
    o.put("skew", skew.label);
    o.put("instances", catchUp.instances());
    o.put("partitions", partitions);
    o.put("round", round);
    o.put("votes", counts.total());
    o.put("complete", catchUp.complete());
    if (!catchUp.complete()) {
      return;
    }
    BenchResults.putNumber(o, "votesPerSec", catchUpRate());
    BenchResults.putNumber(o, "cpuUsPerVote", cpuUsPerVote());
    BenchResults.putNumber(o, "cpuUsPerVoteFromLaunch", catchUp.cpuMillis() * 1000.0 / counts.total());
    o.put("rssMiB", catchUp.peakRss() >> 20);
    o.put("steadyRssMiB", catchUp.steadyRss() >> 20);
    BenchResults.putNumber(o, "consumerPerformanceRecordsPerSec", baseline.fetchRecordsPerSec());
    BenchResults.putNumber(o, "maxLoadAverage", catchUp.maxLoad());
    // Exact: CatchUp.measure throws unless the stats and every band total equal what was written.
    o.put("exact", !app.isFloor());
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append(String.format("Run %s, %s x%d, %s mix, %d partitions, %,d votes (%,d valid, %,d duplicates, %,d invalid), filled at %,.0f rec/s%n%n",
        Instant.now(), app.label, catchUp.instances(), skew.label, partitions, counts.total(), counts.valid(), counts.duplicates(),
        counts.invalid(), counts.total() / fillSeconds));
    md.append("| measure | value |\n|---|---|\n");
    md.append(row("ConsumerPerformance, overall (join included)", "%,.0f rec/s", baseline.recordsPerSec()));
    md.append(row("ConsumerPerformance, fetching (join excluded)", "%,.0f rec/s", baseline.fetchRecordsPerSec()));
    if (!catchUp.complete()) {
      md.append("| streams app catch-up | **did not complete** (see ").append(catchUp.log()).append(") |\n");
      return md.toString();
    }
    double ratio = catchUpRate() / baseline.fetchRecordsPerSec();
    md.append(row("streams app: launch → RUNNING", "%.1f s", catchUp.runningAtMs() / 1e3));
    md.append(row("streams app: RUNNING → committed offsets at the end", "%.1f s", (catchUp.lagZeroAtMs() - catchUp.runningAtMs()) / 1e3));
    md.append(row("streams app: RUNNING → every record in /api/stats (catch-up)", "%.1f s", catchUp.catchUpMs() / 1e3));
    md.append(row("**catch-up rate** (exactly_once_v2)", "**%,.0f rec/s**", catchUpRate()));
    md.append(row("catch-up rate from launch (JVM start and join included)", "%,.0f rec/s", counts.total() * 1000.0 / catchUp.doneAtMs()));
    // The target (issue 19) is against the same round's floor-copy: the summary and the targets table show it.
    md.append(row("ratio to ConsumerPerformance fetching", "%.1f %%", ratio * 100));
    md.append(row("ratio to ConsumerPerformance overall", "%.1f %%", catchUpRate() / baseline.recordsPerSec() * 100));
    md.append(row("streams app CPU per record, RUNNING → done (all instances)", "%.1f µs", cpuUsPerVote()));
    md.append(row("streams app peak RSS (largest instance)", "%,d MiB", catchUp.peakRss() >> 20));
    md.append(row("streams app steady RSS (median, 2nd half of catch-up)", "%,d MiB", catchUp.steadyRss() >> 20));
    md.append(row("streams app CPU time", "%.1f s (%.1f cores while catching up, launch included)",
        catchUp.cpuMillis() / 1e3, catchUp.cpuMillis() / (double) catchUp.doneAtMs()));
    md.append(row("load average (1 min) at start / highest sampled", "%.2f / %.2f", loadAtStart, catchUp.maxLoad()));
    md.append(
        app.isFloor()
            ? row("final /api/stats", "%s", "none (a floor counts nothing; catch-up ends on committed offsets)")
            : row("final /api/stats", "%s", catchUp.stats().toString().replace("|", "\\|")));
    return md.toString();
  }

  /** One line per app of a multi-app run: the same records, the same ConsumerPerformance figure. */
  static String summary(List<StreamsReport> results) {
    StringBuilder md = new StringBuilder(
        "| mix | round | app | instances | partitions | catch-up rate | share of the round's floor-copy | ratio to ConsumerPerformance fetching | CPU µs/vote (catch-up) | app CPU (launch incl.) | peak RSS per instance | exact |\n");
    md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
    for (StreamsReport r : results) {
      String lead = String.format("| %s | %d | %s | %d | %d |", r.skew().label, r.round(), r.app().label, r.catchUp().instances(), r.partitions());
      if (!r.catchUp().complete()) {
        md.append(lead).append(" did not complete | | | | | | |\n");
        continue;
      }
      Double copy = floorCopyRate(results, r);
      md.append(String.format("%s %,.0f rec/s | %s | %.1f %% | %.1f | %.1f s | %,d MiB | %s |%n",
          lead, r.catchUpRate(), copy == null ? "" : String.format("%.0f %%", r.catchUpRate() / copy * 100),
          r.catchUpRate() / r.baseline().fetchRecordsPerSec() * 100, r.cpuUsPerVote(),
          r.catchUp().cpuMillis() / 1e3, r.catchUp().peakRss() >> 20, r.app().isFloor() ? "n/a" : "yes"));
    }
    return md.toString();
  }

  /** The catch-up rate of floor-copy on the same fill in the same round, if it ran and completed. */
  static Double floorCopyRate(List<StreamsReport> results, StreamsReport of) {
    return results.stream()
        .filter(r -> r.app() == StreamsBenchConfig.App.FLOOR_COPY && r.skew() == of.skew() && r.round() == of.round()
            && r.catchUp().complete())
        .map(StreamsReport::catchUpRate)
        .findFirst()
        .orElse(null);
  }

  private static String row(String name, String format, Object... args) {
    return "| " + name + " | " + String.format(format, args) + " |\n";
  }
}
