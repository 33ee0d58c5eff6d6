package gt.quetzal.ingest.core;

import java.util.Objects;

/**
 * A readiness verdict with a reason a human can act on.
 *
 * @param up     whether votes can be published now
 * @param detail why, e.g. "votes.raw reachable (3 partitions)" or the broker error
 */
public record PublisherHealth(boolean up, String detail) {

  public PublisherHealth {
    Objects.requireNonNull(detail, "detail");
  }

  public static PublisherHealth up(String detail) {
    return new PublisherHealth(true, detail);
  }

  public static PublisherHealth down(String detail) {
    return new PublisherHealth(false, detail);
  }
}
