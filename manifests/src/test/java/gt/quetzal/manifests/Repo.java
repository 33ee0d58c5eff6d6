package gt.quetzal.manifests;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the working tree is: the tests read manifests/, grafana/, docs/ and the POMs from it. */
final class Repo {

  private Repo() {}

  static Path root() {
    String override = System.getProperty("quetzal.root");
    if (override != null && !override.isBlank()) {
      return Path.of(override).toAbsolutePath().normalize();
    }
    // Surefire runs in the module directory; walk up to the repository root from wherever we are.
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("manifests/base")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root (manifests/base) above " + dir);
  }

  static Path manifests() {
    return root().resolve("manifests");
  }

  static Path grafana() {
    return root().resolve("grafana");
  }
}
