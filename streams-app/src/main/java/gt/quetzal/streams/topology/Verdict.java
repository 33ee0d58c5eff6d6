package gt.quetzal.streams.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.VoteEvent;

/**
 * What {@link CheckVoteProcessor} decided about one raw record (and, downstream, the open contest's
 * spelling and the voter policy, which look only at {@link Valid} verdicts and pass the others
 * through untouched), so the chain ends in one split.
 * Verdicts only live between processors of one sub-topology, so they never need a serde.
 */
sealed interface Verdict {

  /**
   * Countable so far.
   *
   * @param spelled whether the names are the ones to show: a catalog's spelling, or an open contest's
   *     once {@link SpellNamesProcessor} chose it; an open contest's vote starts unspelled
   */
  record Valid(VoteEvent vote, boolean spelled) implements Verdict {
    Valid(VoteEvent vote) {
      this(vote, true);
    }
  }

  /** Refused, with the reason that goes to {@code votes.rejected} and the stats. */
  record Rejected(RejectedVote rejection) implements Verdict {

    /** Refuses a vote that parsed, keeping its JSON (truncated) for the audit. */
    static Rejected of(VoteEvent vote, String reason, String detail, long rejectedAt) {
      String raw;
      try {
        raw = RejectedVote.truncate(Json.MAPPER.writeValueAsString(vote));
      } catch (JsonProcessingException e) {
        raw = null; // a record of strings and numbers always serialises; keep the rejection anyway
      }
      return new Rejected(new RejectedVote(vote.voteId(), reason, detail, raw, rejectedAt));
    }
  }

  /** A copy of a voteId already decided within the dedup retention; counted only in the stats. */
  record Duplicate(String voteId) implements Verdict {}
}
