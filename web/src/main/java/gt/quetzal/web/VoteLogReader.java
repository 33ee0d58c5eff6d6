package gt.quetzal.web;

import gt.quetzal.contract.VoteEvent;
import java.util.Optional;

/** Reads the vote log and the rejected log (MongoDB in production). Any exception means "the store cannot answer now". */
public interface VoteLogReader {

  /**
   * Accepted votes, newest first.
   *
   * @param band   only this band's votes, or {@code null} for all
   * @param before only votes older than this cursor, or {@code null} for the newest
   */
  LogPage<VoteEvent> votes(String band, LogCursor before, int limit);

  /** One vote by its id. */
  Optional<VoteEvent> vote(String voteId);

  /**
   * Rejected records, newest first.
   *
   * @param reason only this reason, or {@code null} for all
   */
  LogPage<RejectedEntry> rejected(String reason, LogCursor before, int limit);

  /** A cheap reachability check for /readyz; by default a one-vote read. */
  default void ping() {
    votes(null, null, 1);
  }
}
