package gt.quetzal.devstack;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The contest the devstack applies once its topics exist, before it says READY, so {@code ./quetzal up}
 * starts no contest tool JVM of its own. {@code QUETZAL_CONTEST=FILE|none} applies it, as {@code
 * ./quetzal contest apply} does; {@code QUETZAL_CONTEST_IF_ABSENT=FILE|none} only when no contest was ever
 * applied, which is how a fresh home starts with the demo catalog and a later start keeps the contest.
 *
 * @param source the file or {@code none}, for messages
 * @param catalog the catalog to run, or {@code null} for an open contest
 */
public record ContestOnStart(String source, Catalog catalog, boolean ifAbsent) {

  public static final String APPLY = "QUETZAL_CONTEST";
  public static final String IF_ABSENT = "QUETZAL_CONTEST_IF_ABSENT";

  /**
   * Reads QUETZAL_CONTEST and QUETZAL_CONTEST_IF_ABSENT (at most one); the catalog is loaded and checked
   * here, so a bad one stops the devstack before Kafka starts.
   *
   * @throws EnvReader.ConfigException naming the variable and why its catalog is unusable
   */
  public static Optional<ContestOnStart> fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    String apply = env.optional(APPLY);
    String ifAbsent = env.optional(IF_ABSENT);
    ContestOnStart contest = null;
    if (apply != null && ifAbsent != null) {
      env.problem(APPLY + " and " + IF_ABSENT + " are both set; set one");
    } else if (apply != null) {
      contest = load(env, APPLY, apply, false);
    } else if (ifAbsent != null) {
      contest = load(env, IF_ABSENT, ifAbsent, true);
    }
    env.validate(DevstackConfig.SERVICE);
    return Optional.ofNullable(contest);
  }

  private static ContestOnStart load(EnvReader env, String variable, String value, boolean ifAbsent) {
    if (value.equals("none")) {
      return new ContestOnStart(value, null, ifAbsent);
    }
    try {
      Catalog catalog = Catalog.load(Path.of(value));
      CatalogIndex.of(catalog); // an ambiguous catalog is refused now, not after Kafka started
      return new ContestOnStart(value, catalog, ifAbsent);
    } catch (RuntimeException e) {
      env.problem(variable + ": " + value + " is not a usable catalog: " + Catalog.loadProblem(e));
      return null;
    }
  }
}
