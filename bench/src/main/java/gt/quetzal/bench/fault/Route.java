package gt.quetzal.bench.fault;

import java.util.List;
import java.util.Locale;

/**
 * One of ingest's four ways in, as a fault run's client uses it. {@link #send} hands it the votes due now
 * (new ones and retries); it reports every vote's answer to its {@link PendingVote}.
 */
interface Route extends AutoCloseable {

  /** Single votes (requests or calls) in flight at most per route: an outage must not open thousands. */
  int MAX_SINGLES_IN_FLIGHT = 512;

  /** The four routes, with each one's share of the run's rate (in eighths: 1 : 3 : 1 : 3). */
  enum Kind {
    HTTP,
    BATCH,
    CAST,
    STREAM;

    public String title() {
      return switch (this) {
        case HTTP -> "POST /votes";
        case BATCH -> "POST /votes/batch";
        case CAST -> "Cast";
        case STREAM -> "CastStream";
      };
    }

    /** Short name in outcomes and reports. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Marks the route in a voteId: {@code <runId>.<tag><sequence>}, h, b, c or s. */
    char idTag() {
      return label().charAt(0);
    }

    /** This route's part of {@code total} votes per second: the batch and stream routes carry three times more. */
    double share(double total) {
      return total * (this == BATCH || this == STREAM ? 3 : 1) / 8.0;
    }
  }

  Kind kind();

  /** How many votes may leave now: requests or messages in flight are bounded, as a real client's are. */
  int room();

  /** Sends {@code votes} (at most {@link #room()}) and reports each one's answer. */
  void send(List<PendingVote> votes);

  @Override
  void close();
}
