package gt.quetzal.contract;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic that stages meet at. Partition counts and configs are the deployment's business
 * (devstack's topic setup, the Kubernetes topic Job), not an application's.
 */
public final class Topics {

  /** Raw votes from both ingest routes, keyed by voteId. Read as bytes by the streams app, which must survive garbage. */
  public static final Topic<String, VoteEvent> VOTES_RAW =
      new Topic<>("votes.raw", Serdes.String(), JsonSerde.of(VoteEvent.class));

  /** The clean log: each accepted vote exactly once, keyed by voteId. */
  public static final Topic<String, VoteEvent> VOTES_ACCEPTED =
      new Topic<>("votes.accepted", Serdes.String(), JsonSerde.of(VoteEvent.class));

  /** Everything refused, with the reason, keyed by voteId when known. */
  public static final Topic<String, RejectedVote> VOTES_REJECTED =
      new Topic<>("votes.rejected", Serdes.String(), JsonSerde.of(RejectedVote.class));

  /** Band name to its absolute total: a changelog, so the latest value per key is the truth. */
  public static final Topic<String, Long> TALLIES_BANDS =
      new Topic<>("tallies.bands", Serdes.String(), Serdes.Long());

  public static final List<Topic<?, ?>> ALL =
      List.of(VOTES_RAW, VOTES_ACCEPTED, VOTES_REJECTED, TALLIES_BANDS);

  private Topics() {}
}
