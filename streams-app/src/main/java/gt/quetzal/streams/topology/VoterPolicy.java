package gt.quetzal.streams.topology;

import gt.quetzal.contract.VoteEvent;
import java.util.Locale;

/**
 * How many votes one voter may have counted, enforced by {@link VoterPolicyProcessor}. A voter is
 * the vote's {@code voterId}; how strong that is depends on who issues the ids (see
 * docs/threat-model.md). Off by default: the seed's traffic carries no voter.
 */
public enum VoterPolicy {
  /** Any number of votes per voter; {@code voterId} stays optional. */
  OFF("off"),
  /** At most one counted vote per voter and band. */
  PER_BAND("per-band"),
  /** At most one counted vote per voter in the whole contest. */
  PER_CONTEST("per-contest");

  private final String setting;

  VoterPolicy(String setting) {
    this.setting = setting;
  }

  /** The value of {@code VOTER_POLICY} that selects this policy. */
  public String setting() {
    return setting;
  }

  /** Parses a {@code VOTER_POLICY} value; {@code null} when it names no policy. */
  public static VoterPolicy fromSetting(String value) {
    String wanted = value.trim().toLowerCase(Locale.ROOT);
    for (VoterPolicy policy : values()) {
      if (policy.setting.equals(wanted)) {
        return policy;
      }
    }
    return null;
  }

  /**
   * The key one voter's ballots are counted under. The voterId is length-prefixed so that no pair of
   * voterId and band can spell another pair's key.
   */
  String ballotKey(VoteEvent vote) {
    String voter = vote.voterId();
    return switch (this) {
      case OFF -> throw new IllegalStateException("no ballots while the voter policy is off");
      case PER_CONTEST -> voter;
      case PER_BAND -> voter.length() + ":" + voter + "|" + vote.name();
    };
  }
}
