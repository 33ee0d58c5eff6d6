package gt.quetzal.load.recount;

import gt.quetzal.contract.Stats;
import java.util.List;

/** The recount's table: one line per aggregate, each source's verdict, then the first differences. */
public final class RecountReport {

  static final int SHOWN_DIFFERENCES = 5;
  /** The report's last line when all three agree. */
  public static final String AGREE = "AGREE: Kafka, MongoDB and Redis hold the same result\n";

  private RecountReport() {}

  public static String render(Recount.Verdict verdict) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%-18s %-24s %-24s%n", "aggregate", "kafka vs redis", "mongodb vs redis"));
    for (int i = 0; i < verdict.kafka().size(); i++) {
      Comparison.Line k = verdict.kafka().get(i);
      Comparison.Line m = verdict.mongo().get(i);
      out.append(String.format("%-18s %-24s %-24s%n", k.aggregate(), cell(k), cell(m)));
    }
    details(out, "kafka", verdict.kafka());
    details(out, "mongodb", verdict.mongo());
    for (String gap : verdict.gaps()) {
      out.append("kafka: partial recount: ").append(gap).append('\n');
    }
    var stats = verdict.fromKafka().stats();
    out.append(
        String.format(
            "vote log: %d accepted, %d rejected, %d duplicates%n",
            stats.getOrDefault(Stats.ACCEPTED, 0L),
            stats.getOrDefault(Stats.REJECTED, 0L),
            stats.getOrDefault(Stats.DUPLICATES, 0L)));
    out.append(
        verdict.agrees()
            ? AGREE
            : "DIFFER: see the lines above\n");
    return out.toString();
  }

  private static String cell(Comparison.Line line) {
    return line.agrees()
        ? "agree (" + line.keys() + ")"
        : "DIFFER (" + line.differences().size() + " of " + line.keys() + ")";
  }

  private static void details(StringBuilder out, String source, List<Comparison.Line> lines) {
    for (Comparison.Line line : lines) {
      List<Comparison.Difference> shown = line.differences().stream().limit(SHOWN_DIFFERENCES).toList();
      for (Comparison.Difference d : shown) {
        out.append(source).append(", ").append(line.aggregate()).append(": ").append(d).append('\n');
      }
      int more = line.differences().size() - shown.size();
      if (more > 0) {
        out.append(source).append(", ").append(line.aggregate()).append(": and ").append(more).append(" more\n");
      }
    }
  }
}
