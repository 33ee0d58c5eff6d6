package gt.quetzal.bench.fault;

import java.util.List;
import java.util.Locale;

/** The fault runs as one Markdown table, the format of {@code docs/reliability.md}, plus each run's account. */
public final class FaultReport {

  private FaultReport() {}

  public static String markdown(List<FaultResult> results) {
    StringBuilder out = new StringBuilder();
    out.append("| # | fault | sent | acknowledged | not acknowledged | counted | stored | accepted without ack"
        + " | lost | duplicated | retried | resent | deduplicated | verdict |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (FaultResult r : results) {
      out.append(String.format(Locale.ROOT,
          "| %d | %s | %,d | %,d | %,d | %,d | %,d | %,d | %d | %d | %,d | %,d | %s | %s |%n",
          r.fault().number(), r.fault().title(), r.sent(), r.acknowledged(), r.unacknowledged(), r.counted(),
          r.stored(), r.acceptedWithoutAck(), r.lost(), r.duplicated(), r.retriedVotes(), r.resentVotes(),
          r.deduplicated() < 0 ? "?" : String.format(Locale.ROOT, "%,d", r.deduplicated()),
          r.passed() ? "PASS" : "FAIL"));
    }
    out.append('\n');
    for (FaultResult r : results) {
      out.append(String.format(Locale.ROOT, "- **%d. %s** (run `%s`, %.0f s): %s.", r.fault().number(),
          r.fault().title(), r.runId(), r.elapsedMillis() / 1e3, r.evidence().account()));
      out.append(String.format(Locale.ROOT,
          " %,d unknown answers (503 / UNAVAILABLE / timeout / connection lost) were retried under the same voteId;"
              + " %,d votes ended unacknowledged, %,d were refused; %,d acknowledged votes were sent once more on"
              + " purpose.",
          r.uncertainAttempts(), r.unacknowledged(), r.refused(), r.resentVotes()));
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
}
