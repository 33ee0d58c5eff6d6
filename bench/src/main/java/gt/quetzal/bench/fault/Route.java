package gt.quetzal.bench.fault;

import java.util.List;

/**
 * One of ingest's four ways in, as a fault run's client uses it. {@link #send} hands it the votes due now
 * (new ones and retries); it reports every vote's answer to its {@link PendingVote}.
 */
interface Route extends AutoCloseable {

  /** The four routes, with each one's share of the run's rate (in eighths). */
  enum Kind {
    HTTP("POST /votes", "http", 'h', 1),
    BATCH("POST /votes/batch", "batch", 'b', 3),
    CAST("Cast", "cast", 'g', 1),
    STREAM("CastStream", "stream", 's', 3);

    private final String title;
    private final String label;
    private final char idTag;
    private final int eighths;

    Kind(String title, String label, char idTag, int eighths) {
      this.title = title;
      this.label = label;
      this.idTag = idTag;
      this.eighths = eighths;
    }

    public String title() {
      return title;
    }

    /** Short name in outcomes and reports. */
    public String label() {
      return label;
    }

    /** Marks the route in a voteId: {@code <runId>.<tag><sequence>}. */
    char idTag() {
      return idTag;
    }

    /** This route's part of {@code total} votes per second. */
    double share(double total) {
      return total * eighths / 8.0;
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
