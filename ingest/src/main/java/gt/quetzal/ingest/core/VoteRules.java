package gt.quetzal.ingest.core;

import gt.quetzal.contract.EnvReader;

/**
 * The limits {@link VoteValidator} enforces. Only the text length is deployment config; the numeric
 * ranges are the contest's rules and stay constants.
 *
 * @param maxTextLength   longest name, album or voterId, in Unicode code points after NFC (env
 *                        {@code MAX_FIELD_LENGTH}, default 200)
 * @param maxVoteIdLength longest voteId / Idempotency-Key (env {@code MAX_VOTE_ID_LENGTH}, default 100)
 */
public record VoteRules(int maxTextLength, int maxVoteIdLength) {

  public static final int MIN_YEAR = 1900;
  /** The latest valid year is the current year plus this, so next year's releases can be voted. */
  public static final int YEARS_AHEAD = 1;

  public static final int MIN_RANK = 1;
  public static final int MAX_RANK = 100;

  public static final VoteRules DEFAULT = new VoteRules(200, 100);

  public VoteRules {
    if (maxTextLength < 1) {
      throw new IllegalArgumentException("maxTextLength must be >= 1");
    }
    if (maxVoteIdLength < 1) {
      throw new IllegalArgumentException("maxVoteIdLength must be >= 1");
    }
  }

  /** Reads the limits both ingest routes share, so HTTP and gRPC cannot drift apart. */
  public static VoteRules fromEnv(EnvReader env) {
    return new VoteRules(
        env.integer("MAX_FIELD_LENGTH", DEFAULT.maxTextLength(), 1, 10_000),
        env.integer("MAX_VOTE_ID_LENGTH", DEFAULT.maxVoteIdLength(), 1, 1_000));
  }
}
