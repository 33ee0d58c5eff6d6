package gt.quetzal.bench.results;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;

/** Where the benches write their JSON results: {@code BENCH_RESULTS_DIR}, default {@code .quetzal/bench-results}. */
public final class ResultsDir {

  public static final String VARIABLE = "BENCH_RESULTS_DIR";
  public static final String DEFAULT = ".quetzal/bench-results";

  private ResultsDir() {}

  public static Path from(EnvReader env) {
    return Path.of(env.string(VARIABLE, DEFAULT));
  }
}
