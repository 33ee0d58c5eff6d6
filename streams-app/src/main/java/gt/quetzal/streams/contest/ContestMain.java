package gt.quetzal.streams.contest;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.ContestApply;
import gt.quetzal.contract.ContestState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The contest tool: {@code ./quetzal contest ...} locally, and the Kubernetes catalog Job (it ships in
 * the streams-app image). It is the only writer of {@code contest.catalog}; services only read it.
 *
 * <pre>
 * apply FILE [--if-absent]   make the topic say this catalog (only the differences are written)
 * apply none [--if-absent]   an open contest: every well-formed band and album counts
 * show                       print the contest now: the catalog's JSON, or "none" when open
 * from-traffic FILE [--name NAME]
 *                            print a catalog built from a seed-format traffic file ({@link
 *                            TrafficCatalog}); unusable rows go to stderr with index and reason
 * </pre>
 *
 * {@code --if-absent} applies only when no contest was ever applied: how {@code ./quetzal up} starts a
 * fresh home from the demo catalog and otherwise keeps the contest last applied. Kafka is {@code
 * KAFKA_BOOTSTRAP_SERVERS} (default {@code localhost:9092}). Exit 0 on success, 2 on a bad argument or
 * file, 1 when Kafka could not be read or written.
 */
public final class ContestMain {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  static final String USAGE =
      "usage: contest apply FILE|none [--if-absent] | contest show | contest from-traffic FILE [--name NAME]\n"
          + "  (KAFKA_BOOTSTRAP_SERVERS, default localhost:9092)";

  private ContestMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** {@link #main} without the exit, for tests and tools that embed it. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    List<String> words = List.of(args);
    Map<String, Object> kafka =
        Map.of(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
            CommonClientConfigs.CLIENT_ID_CONFIG, "quetzal-contest-tool");
    try {
      if (words.size() >= 2 && words.get(0).equals("apply")) {
        boolean ifAbsent = words.contains("--if-absent");
        List<String> rest = words.subList(1, words.size()).stream().filter(w -> !w.equals("--if-absent")).toList();
        if (rest.size() != 1) {
          err.println(USAGE);
          return 2;
        }
        return apply(rest.get(0), ifAbsent, kafka, out, err);
      }
      if (words.equals(List.of("show"))) {
        return show(kafka, out);
      }
      if (words.size() == 2 && words.get(0).equals("from-traffic")) {
        return fromTraffic(Path.of(words.get(1)), "", out, err);
      }
      if (words.size() == 4 && words.get(0).equals("from-traffic") && words.get(2).equals("--name")) {
        return fromTraffic(Path.of(words.get(1)), words.get(3), out, err);
      }
    } catch (IllegalStateException e) {
      err.println("contest: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    err.println(USAGE);
    return 2;
  }

  private static int apply(String what, boolean ifAbsent, Map<String, Object> kafka, PrintStream out, PrintStream err)
      throws InterruptedException {
    Catalog target = null;
    if (!what.equals("none")) {
      try {
        target = Catalog.load(Path.of(what));
      } catch (RuntimeException e) {
        err.println("contest: " + what + " is not a usable catalog: " + Catalog.loadProblem(e));
        return 2;
      }
    }
    try {
      out.println("contest: " + ContestApply.apply(kafka, target, ifAbsent, READ_TIMEOUT));
    } catch (IllegalArgumentException e) {
      err.println("contest: " + what + " is not a usable catalog: " + e.getMessage());
      return 2;
    }
    return 0;
  }

  private static int fromTraffic(Path file, String name, PrintStream out, PrintStream err) {
    TrafficCatalog.Result result;
    try {
      result = TrafficCatalog.derive(Files.readAllBytes(file), name.isEmpty() ? contestName(file) : name);
    } catch (IOException e) {
      err.println("contest: cannot read " + file + ": " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("contest: " + file + ": " + e.getMessage());
      return 2;
    }
    for (TrafficCatalog.RowProblem problem : result.problems()) {
      err.println("contest: row " + problem.index() + " not used: " + problem.reason());
    }
    out.print(result.catalog().render());
    err.println(
        "contest: " + result.catalog().bands().size() + " bands from " + file
            + (result.problems().isEmpty() ? "" : "; " + result.problems().size() + " rows not used"));
    return 0;
  }

  private static String contestName(Path file) {
    String base = file.getFileName().toString();
    return base.endsWith(".json") ? base.substring(0, base.length() - 5) : base;
  }

  private static int show(Map<String, Object> kafka, PrintStream out) throws InterruptedException {
    ContestState current = ContestApply.read(kafka, READ_TIMEOUT);
    if (current.index().isOpen()) {
      out.println("none");
      return 0;
    }
    out.print(new Catalog(current.index().contest(), current.index().bands()).render());
    return 0;
  }
}
