package gt.quetzal.bench.results;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./quetzal bench table} (and the end of {@code bench all}): prints issue 19's targets table from
 * {@code BENCH_RESULTS_DIR} and, with {@code BENCH_TABLE_DOC} set, writes it between the markers of that
 * page (docs/benchmarks.md).
 */
public final class TargetsMain {

  private TargetsMain() {}

  public static void main(String[] args) throws Exception {
    EnvReader env = new EnvReader(System.getenv());
    String dir = env.string(ResultsDir.VARIABLE, ResultsDir.DEFAULT);
    String doc = env.optional("BENCH_TABLE_DOC");
    env.validate("bench-table");
    String table = TargetsTable.markdown(Path.of(dir), dir);
    System.out.print(table);
    if (doc != null) {
      Path page = Path.of(doc);
      Files.writeString(page, TargetsTable.replaceGenerated(Files.readString(page), table));
      System.out.println("written between the markers of " + page);
    }
  }
}
