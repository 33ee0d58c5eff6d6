package gt.quetzal.ingest.core;

import java.util.Objects;

/**
 * One item a transport hands to {@link VoteCaster#castAll}: a {@link VoteCandidate}, or an item it
 * could not read as a vote at all (a batch entry that is not a JSON object), which is answered
 * invalid in its place so every item still gets its outcome.
 */
public sealed interface CastItem permits VoteCandidate, CastItem.NotAVote {

  /** @param why the one violation the item gets, e.g. field {@code vote}, code {@code wrong_type} */
  record NotAVote(FieldViolation why) implements CastItem {
    public NotAVote {
      Objects.requireNonNull(why, "why");
    }
  }
}
