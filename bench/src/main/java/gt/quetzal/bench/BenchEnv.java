package gt.quetzal.bench;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every benchmark and fault run reads from the environment besides its own settings. */
public final class BenchEnv {

  private BenchEnv() {}

  /**
   * {@code CATALOG_FILE}, default {@code config/catalog.json} (the launcher passes the repository's): the
   * contest the votes are drawn from. With {@code mustExist}, a missing file is one of {@code env}'s problems.
   */
  public static Path catalogFile(EnvReader env, boolean mustExist) {
    Path catalog = Path.of(env.string("CATALOG_FILE", "config/catalog.json"));
    if (mustExist && !Files.isRegularFile(catalog)) {
      env.problem("CATALOG_FILE=" + catalog + " is not a file");
    }
    return catalog;
  }
}
