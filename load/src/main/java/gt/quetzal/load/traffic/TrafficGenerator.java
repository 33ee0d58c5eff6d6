package gt.quetzal.load.traffic;

import gt.quetzal.contract.Catalog;
import gt.quetzal.load.VoteSampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a traffic file in the seed's format for Locust (and anything else that sends votes).
 *
 * <p>Each row is, by one draw per row: a repeat of an earlier valid row, voteId included (what a
 * client retry looks like; the pipeline must count it once), an invalid vote (one {@link Flaw}), or a
 * fresh valid vote drawn by {@link VoteSampler} from the catalog with the chosen popularity skew.
 * Rows carry a {@code voteId} ({@code t<seed>-<row>}), the optional idempotency key of the vote
 * format, so repeats are recognisable and a sender can retry safely. Senders that replay a file
 * several times add a run prefix to it (see {@code load/locust/locustfile.py}).
 *
 * <p>Everything comes from one {@link Random} seeded with {@link TrafficOptions#seed()}: the same
 * options give the same bytes.
 */
public final class TrafficGenerator {

  /** What a row of the file is; not written to the file, used by tests and the summary line. */
  public enum Kind {
    VALID,
    DUPLICATE,
    INVALID
  }

  /** One generated row: the vote as written, and what it was made to be. */
  public record Row(Map<String, String> vote, Kind kind, Flaw flaw) {}

  private final Catalog catalog;
  private final TrafficOptions options;

  public TrafficGenerator(Catalog catalog, TrafficOptions options) {
    this.catalog = catalog;
    this.options = options;
  }

  public List<Row> generate() {
    Random random = new Random(options.seed());
    VoteSampler sampler = new VoteSampler(catalog, options.skew(), random);
    Flaw[] flaws = Flaw.values();
    // Long enough (18 characters) for ingest's voteId minimum, so the rows can be posted as they are.
    String idPrefix = "traffic-" + Long.toUnsignedString(options.seed(), 36) + "-";
    List<Row> rows = new ArrayList<>(options.votes());
    List<Map<String, String>> validSoFar = new ArrayList<>();
    for (int i = 0; i < options.votes(); i++) {
      double draw = random.nextDouble();
      if (draw < options.duplicateRate() && !validSoFar.isEmpty()) {
        Map<String, String> earlier = validSoFar.get(random.nextInt(validSoFar.size()));
        rows.add(new Row(new LinkedHashMap<>(earlier), Kind.DUPLICATE, null));
        continue;
      }
      Map<String, String> vote = sampler.next();
      Flaw flaw = null;
      if (draw < options.duplicateRate() + options.invalidRate()) {
        flaw = flaws[random.nextInt(flaws.length)];
        flaw.apply(vote, random);
      }
      if (options.voteIds()) {
        vote.put("voteId", idPrefix + String.format("%06d", i));
      }
      if (flaw == null) {
        validSoFar.add(vote);
        rows.add(new Row(vote, Kind.VALID, null));
      } else {
        rows.add(new Row(vote, Kind.INVALID, flaw));
      }
    }
    return rows;
  }

  /** The rows as the file holds them. */
  public static List<Map<String, String>> votes(List<Row> rows) {
    return rows.stream().map(Row::vote).toList();
  }

  public static void main(String[] args) {
    TrafficOptions options;
    try {
      options = TrafficOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("traffic: " + e.getMessage());
      System.err.print(TrafficOptions.USAGE);
      System.exit(2);
      return;
    }
    Catalog catalog = Catalog.load(options.catalog());
    List<Row> rows = new TrafficGenerator(catalog, options).generate();
    if (options.out().equals(Path.of("-"))) {
      try {
        TrafficFile.write(votes(rows), System.out);
        System.out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      TrafficFile.write(votes(rows), options.out());
    }
    long duplicates = rows.stream().filter(r -> r.kind() == Kind.DUPLICATE).count();
    long invalid = rows.stream().filter(r -> r.kind() == Kind.INVALID).count();
    long streamsGate = rows.stream().filter(r -> r.flaw() != null && r.flaw().gate() == Flaw.Gate.STREAMS).count();
    System.err.printf(
        "traffic: wrote %d votes to %s (%d repeats, %d invalid: %d for their fields, %d for the catalog; seed %d)%n",
        rows.size(), options.out(), duplicates, invalid, invalid - streamsGate, streamsGate, options.seed());
  }
}
