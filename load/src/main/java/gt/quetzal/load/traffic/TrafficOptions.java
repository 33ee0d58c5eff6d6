package gt.quetzal.load.traffic;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What {@link TrafficGenerator} writes. Parsed from {@code --name value} (or {@code --name=value})
 * arguments; every bad argument is reported at once.
 *
 * @param votes         rows in the file
 * @param catalog       the bands and albums to vote for
 * @param skew          popularity skew: 0 uniform, 1 classic Zipf (band k gets weight 1/k)
 * @param duplicateRate share of rows that repeat an earlier valid vote, voteId included (a client retry)
 * @param invalidRate   share of rows that break a rule (see {@link Flaw})
 * @param seed          the same seed and options give the same file, byte for byte
 * @param voteIds       whether rows carry a {@code voteId}; without ids a repeat is not recognisable, so
 *                      it is only allowed with a duplicate rate of 0
 * @param out           where to write; {@code -} for standard output
 */
public record TrafficOptions(
    int votes,
    Path catalog,
    double skew,
    double duplicateRate,
    double invalidRate,
    long seed,
    boolean voteIds,
    Path out) {

  public static final int DEFAULT_VOTES = 1_000;
  public static final Path DEFAULT_CATALOG = Path.of("config", "catalog.json");
  public static final double DEFAULT_SKEW = 1.0;
  public static final double DEFAULT_DUPLICATE_RATE = 0.03;
  public static final double DEFAULT_INVALID_RATE = 0.05;
  public static final long DEFAULT_SEED = 2026;
  public static final Path DEFAULT_OUT = Path.of("load", "traffic.json");
  /** The options that take a value ({@code --no-ids} takes none). */
  private static final Set<String> OPTIONS =
      Set.of("--votes", "--catalog", "--skew", "--duplicates", "--invalid", "--seed", "--out");

  public static final String USAGE =
      """
      Usage: TrafficGenerator [options]
        --votes N          rows to write (default 1000)
        --catalog FILE     bands and albums (default config/catalog.json)
        --skew S           popularity skew, 0 = uniform, 1 = Zipf (default 1.0)
        --duplicates R     share of rows repeating an earlier vote with its voteId (default 0.03)
        --invalid R        share of rows breaking a rule (default 0.05)
        --seed N           random seed; same seed, same file (default 2026)
        --no-ids           omit voteId (only with --duplicates 0)
        --out FILE         output file, '-' for stdout (default load/traffic.json)
      """;

  public TrafficOptions {
    List<String> problems = new ArrayList<>();
    if (votes < 1) {
      problems.add("--votes must be at least 1");
    }
    if (!(skew >= 0) || Double.isInfinite(skew)) {
      problems.add("--skew must be a number >= 0");
    }
    if (!(duplicateRate >= 0 && duplicateRate <= 1)) {
      problems.add("--duplicates must be between 0 and 1");
    }
    if (!(invalidRate >= 0 && invalidRate <= 1)) {
      problems.add("--invalid must be between 0 and 1");
    }
    if (duplicateRate + invalidRate > 1) {
      problems.add("--duplicates plus --invalid must not exceed 1");
    }
    if (!voteIds && duplicateRate > 0) {
      problems.add("--no-ids needs --duplicates 0: without voteIds a repeat is just another vote");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** The defaults: {@link #parse} of no argument. */
  public static TrafficOptions defaults() {
    return parse();
  }

  /** Parses command-line arguments over the defaults; throws naming every bad one. */
  public static TrafficOptions parse(String... args) {
    Map<String, String> given = new HashMap<>();
    boolean ids = true;
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (name.equals("--no-ids")) {
        ids = false;
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          problems.add(name + " needs a value");
          break;
        }
        value = args[++i];
      }
      if (OPTIONS.contains(name)) {
        given.put(name, value);
      } else {
        problems.add("unknown option " + name);
      }
    }
    int votes = number(given, "--votes", DEFAULT_VOTES, Integer::valueOf, problems);
    double skew = number(given, "--skew", DEFAULT_SKEW, Double::valueOf, problems);
    double duplicates = number(given, "--duplicates", DEFAULT_DUPLICATE_RATE, Double::valueOf, problems);
    double invalid = number(given, "--invalid", DEFAULT_INVALID_RATE, Double::valueOf, problems);
    long seed = number(given, "--seed", DEFAULT_SEED, Long::valueOf, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new TrafficOptions(votes, Path.of(given.getOrDefault("--catalog", DEFAULT_CATALOG.toString())), skew,
        duplicates, invalid, seed, ids, Path.of(given.getOrDefault("--out", DEFAULT_OUT.toString())));
  }

  /** The option's number, or {@code fallback} when it was not given or is not a number (a problem then). */
  private static <T> T number(
      Map<String, String> given, String name, T fallback, Function<String, T> parse, List<String> problems) {
    String value = given.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return parse.apply(value.strip());
    } catch (NumberFormatException e) {
      problems.add(name + " expects a number, got '" + value + "'");
      return fallback;
    }
  }
}
