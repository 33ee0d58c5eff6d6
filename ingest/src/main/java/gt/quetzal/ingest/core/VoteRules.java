package gt.quetzal.ingest.core;

import gt.quetzal.kit.EnvReader;
import gt.quetzal.contract.VoteText;

/**
 * The limits {@link VoteValidator} enforces. Only the text length is deployment config; the numeric
 * ranges are the contest's rules and stay constants.
 *
 * @param maxTextLength   longest name, album or voterId, in Unicode code points after NFC (env
 *                        {@code MAX_FIELD_LENGTH}, default 200)
 * @param minVoteIdLength shortest client-chosen voteId / Idempotency-Key (env {@code
 *                        MIN_VOTE_ID_LENGTH}, default 16: see {@link VoteText#DEFAULT_MIN_VOTE_ID_LENGTH})
 * @param maxVoteIdLength longest voteId / Idempotency-Key (env {@code MAX_VOTE_ID_LENGTH}, default 100)
 */
public record VoteRules(int maxTextLength, int minVoteIdLength, int maxVoteIdLength) {

  public static final VoteRules DEFAULT =
      new VoteRules(
          VoteText.DEFAULT_MAX_TEXT_LENGTH, VoteText.DEFAULT_MIN_VOTE_ID_LENGTH, VoteText.DEFAULT_MAX_VOTE_ID_LENGTH);

  public VoteRules {
    if (maxTextLength < 1) {
      throw new IllegalArgumentException("maxTextLength must be >= 1");
    }
    if (maxVoteIdLength < 1) {
      throw new IllegalArgumentException("maxVoteIdLength must be >= 1");
    }
    if (minVoteIdLength < 1 || minVoteIdLength > maxVoteIdLength) {
      throw new IllegalArgumentException("minVoteIdLength must be in 1..maxVoteIdLength");
    }
  }

  /** Reads the limits both ingest routes share, so HTTP and gRPC cannot drift apart. */
  public static VoteRules fromEnv(EnvReader env) {
    int maxText = env.integer("MAX_FIELD_LENGTH", DEFAULT.maxTextLength(), 1, VoteText.MAX_TEXT_LENGTH_LIMIT);
    int maxVoteId = env.integer("MAX_VOTE_ID_LENGTH", DEFAULT.maxVoteIdLength(), 1, VoteText.MAX_VOTE_ID_LENGTH_LIMIT);
    int minVoteId = env.integer("MIN_VOTE_ID_LENGTH", Math.min(DEFAULT.minVoteIdLength(), maxVoteId), 1, VoteText.MAX_VOTE_ID_LENGTH_LIMIT);
    if (minVoteId > maxVoteId) {
      env.problem("MIN_VOTE_ID_LENGTH=" + minVoteId + " must not exceed MAX_VOTE_ID_LENGTH=" + maxVoteId);
      minVoteId = maxVoteId;
    }
    return new VoteRules(maxText, minVoteId, maxVoteId);
  }
}
