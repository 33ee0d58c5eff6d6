package gt.quetzal.streams;

import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.VoteEvent;

/**
 * What the gatekeeping processors decided about one raw record. Each stage ({@link
 * ValidateVoteProcessor}, {@link DedupProcessor}, {@link LatenessCheckProcessor}) looks only at
 * {@link Valid} verdicts and passes the others through untouched, so the chain ends in one split.
 * Verdicts only live between processors of one sub-topology, so they never need a serde.
 */
sealed interface Verdict {

  /** Countable so far. */
  record Valid(VoteEvent vote) implements Verdict {}

  /** Refused, with the reason that goes to {@code votes.rejected} and the stats. */
  record Rejected(RejectedVote rejection) implements Verdict {}

  /** A copy of a voteId already decided within the dedup retention; counted only in the stats. */
  record Duplicate(VoteEvent vote) implements Verdict {}
}
