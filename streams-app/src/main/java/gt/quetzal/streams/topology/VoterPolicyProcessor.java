package gt.quetzal.streams.topology;

import gt.quetzal.contract.VoteEvent;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Counts at most one vote per ballot key ({@link VoterPolicy#ballotKey}): the first vote of a voter
 * (per band, or per contest) stays {@link Verdict.Valid}; a later one with another voteId becomes
 * {@link Verdict.Rejected} with the reason {@value #ALREADY_VOTED}. A vote without a voterId is
 * {@code invalid} while a policy is on, with the field named.
 *
 * <p>Runs after a repartition by ballot key, so all of one voter's votes meet in one task whichever
 * {@code votes.raw} partition they came from; it runs after dedup, so a retry of a counted vote is a
 * duplicate, not a second ballot. A vote whose voteId is already the ballot's (a retry arriving after
 * the dedup retention) is a {@link Verdict.Duplicate} too.
 *
 * <p>Cost: one persistent entry per voter (per band and voter under {@code per-band}), kept for the
 * whole contest: about 100 bytes each before RocksDB overhead, so 100 MB for a million voters, plus a
 * compacted changelog of the same size. Reset it with a new {@code APPLICATION_ID} for a new contest.
 */
final class VoterPolicyProcessor implements FixedKeyProcessor<String, VoteEvent, Verdict> {

  static final String ALREADY_VOTED = "already_voted";

  private final VoterPolicy policy;
  private FixedKeyProcessorContext<String, Verdict> context;
  private KeyValueStore<String, String> ballots;

  VoterPolicyProcessor(VoterPolicy policy) {
    this.policy = policy;
  }

  /** Ballot key to the voteId that was counted for it. */
  static StoreBuilder<KeyValueStore<String, String>> storeBuilder() {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.VOTER_BALLOTS), Serdes.String(), Serdes.String())
        .withCachingDisabled();
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Verdict> context) {
    this.context = context;
    this.ballots = context.getStateStore(StoreNames.VOTER_BALLOTS);
  }

  @Override
  public void process(FixedKeyRecord<String, VoteEvent> record) {
    VoteEvent vote = record.value();
    if (vote.voterId() == null || vote.voterId().isBlank()) {
      context.forward(
          record.withValue(
              rejected(
                  vote,
                  RawVoteReader.INVALID,
                  "voterId: required while the one-vote-per-voter policy ("
                      + policy.setting()
                      + ") is on")));
      return;
    }
    String ballot = policy.ballotKey(vote);
    String counted = ballots.get(ballot);
    if (counted == null) {
      ballots.put(ballot, vote.voteId());
      context.forward(record.withValue(new Verdict.Valid(vote)));
    } else if (counted.equals(vote.voteId())) {
      context.forward(record.withValue(new Verdict.Duplicate(vote.voteId())));
    } else {
      String scope = policy == VoterPolicy.PER_BAND ? "for this band" : "in this contest";
      context.forward(
          record.withValue(
              rejected(
                  vote,
                  ALREADY_VOTED,
                  "voterId: this voter already has a vote counted " + scope + " (" + counted + ")")));
    }
  }

  private Verdict rejected(VoteEvent vote, String reason, String detail) {
    return Verdict.Rejected.of(vote, reason, detail, context.currentSystemTimeMs());
  }
}
