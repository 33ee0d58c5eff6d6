package gt.quetzal.bench.fault;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The fault runs as one Markdown table, the format of {@code docs/reliability.md}, plus each run's account:
 * the acknowledged votes per route, the unknown answers and what the fault did.
 */
public final class FaultReport {

  private FaultReport() {}

  public static String markdown(List<FaultResult> results) {
    StringBuilder out = new StringBuilder();
    out.append("| # | fault | rate (votes/s) | acknowledged | lost | duplicated | recount"
        + " | max unavailable window (s) | verdict |\n");
    out.append("|---|---|---:|---:|---:|---:|---|---:|---|\n");
    for (FaultResult r : results) {
      out.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %,d | %d | %d | %s | %.1f | %s |%n",
          r.fault().number(), r.fault().title(), r.ratePerSecond(), r.acknowledged(), r.lost(), r.duplicated(),
          r.recount().agrees() ? "agrees" : "DIFFERS", r.maxUnavailableMillis() / 1e3,
          r.passed() ? "PASS" : "FAIL"));
    }
    out.append('\n');
    for (FaultResult r : results) {
      out.append(String.format(Locale.ROOT, "- **%d. %s** (run `%s`, %.0f s): %s.", r.fault().number(),
          r.fault().title(), r.runId(), r.elapsedMillis() / 1e3, r.evidence().account()));
      out.append(String.format(Locale.ROOT,
          " Acknowledged per route: %s; the slowest acknowledgment took %.1f s; %,d sent, %,d counted in Redis, %,d stored in MongoDB (%,d of them"
              + " without an acknowledgment). %,d answers were 503 / UNAVAILABLE / timeout / connection lost, and"
              + " %,d votes were retried under the same voteId; %,d votes ended unacknowledged, %,d were refused;"
              + " %,d acknowledged votes were sent once more on purpose, %s copies dropped by the streams app."
              + " Recount: %s.",
          perRoute(r.acknowledgedPerRoute()), r.slowestAckMillis() / 1e3, r.sent(), r.counted(), r.stored(), r.acceptedWithoutAck(),
          r.uncertainAttempts(), r.retriedVotes(), r.unacknowledged(), r.refused(), r.resentVotes(),
          r.deduplicated() < 0 ? "?" : String.format(Locale.ROOT, "%,d", r.deduplicated()), r.recount().account()));
      if (!r.evidence().happened()) {
        out.append(" The fault was NOT observed.");
      }
      for (String problem : r.problems()) {
        out.append(" Problem: ").append(problem).append('.');
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** {@code POST /votes 1,234, ...} in the routes' order. */
  private static String perRoute(Map<String, Long> acknowledged) {
    return Arrays.stream(Route.Kind.values())
        .map(k -> String.format(Locale.ROOT, "%s %,d", k.title(), acknowledged.getOrDefault(k.label(), 0L)))
        .collect(Collectors.joining(", "));
  }
}
