package gt.quetzal.web;

import gt.quetzal.contract.VoteEvent;
import java.util.List;

/** Reads the vote log (MongoDB in production). Any exception means "the store cannot answer now". */
public interface VoteLogReader {

  /** The newest {@code limit} votes, newest first. */
  List<VoteEvent> newest(int limit);

  /** A cheap reachability check for /readyz; by default a one-vote read. */
  default void ping() {
    newest(1);
  }
}
