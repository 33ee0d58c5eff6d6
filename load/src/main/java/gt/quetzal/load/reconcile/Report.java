package gt.quetzal.load.reconcile;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The verdict of one run: every check, notes that explain without failing, and the per-route table.
 *
 * @param settled whether the pipeline reached the expected state (or stopped changing) before the
 *                settle timeout
 */
public record Report(
    Set<String> runIds,
    Map<Send.Outcome, Long> outcomes,
    List<Check> checks,
    List<String> notes,
    List<RouteStats> routes,
    boolean settled,
    long settleMillis) {

  public boolean passed() {
    return checks.stream().allMatch(Check::ok);
  }

  public List<Check> failures() {
    return checks.stream().filter(c -> !c.ok()).toList();
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    long sent = outcomes.values().stream().mapToLong(Long::longValue).sum();
    out.append(String.format(Locale.ROOT, "Reconciliation of run %s%n", String.join(", ", runIds)));
    out.append(
        String.format(
            Locale.ROOT,
            "  votes sent %,d: accepted %,d (202/OK), rejected %,d (4xx/INVALID_ARGUMENT), failed %,d, unfinished %,d%n",
            sent,
            outcomes.getOrDefault(Send.Outcome.ACCEPTED, 0L),
            outcomes.getOrDefault(Send.Outcome.REJECTED, 0L),
            outcomes.getOrDefault(Send.Outcome.FAILED, 0L),
            outcomes.getOrDefault(Send.Outcome.UNFINISHED, 0L)));
    out.append(
        String.format(
            Locale.ROOT,
            "  pipeline %s after %.1f s%n%n",
            settled ? "settled" : "did NOT settle", settleMillis / 1000.0));
    int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(10);
    String format = "  %-4s  %-" + width + "s  expected %-14s got %s%n";
    for (Check check : checks) {
      out.append(String.format(Locale.ROOT, format, check.ok() ? "ok" : "FAIL", check.name(), check.expected(), check.actual()));
    }
    if (!notes.isEmpty()) {
      out.append(System.lineSeparator());
      notes.forEach(n -> out.append("  note: ").append(n).append(System.lineSeparator()));
    }
    out.append(System.lineSeparator());
    if (passed()) {
      out.append("VERDICT: PASS").append(System.lineSeparator());
    } else {
      out.append(String.format(Locale.ROOT, "VERDICT: FAIL (%d of %d checks)%n", failures().size(), checks.size()));
      for (Check check : failures()) {
        out.append(String.format(Locale.ROOT, "  - %s: expected %s, got %s%n", check.name(), check.expected(), check.actual()));
      }
    }
    out.append(System.lineSeparator())
        .append("HTTP vs gRPC, from the senders' log: latency of each vote's final attempt; locust CPU is the")
        .append(System.lineSeparator())
        .append("sending process's CPU time per second (near 100%: Locust, one core, was the bottleneck);")
        .append(System.lineSeparator())
        .append("µs/req: CPU time per request of Locust and of the ingest service (\"-\": not measured)")
        .append(System.lineSeparator());
    out.append(RouteStats.table(routes));
    return out.toString();
  }
}
