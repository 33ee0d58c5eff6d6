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
      new Topic<>("votes.raw", Serdes.String(), VoteEventSerde.create());

  /** The clean log: each accepted vote exactly once, keyed by voteId. */
  public static final Topic<String, VoteEvent> VOTES_ACCEPTED =
      new Topic<>("votes.accepted", Serdes.String(), VoteEventSerde.create());

  /** Everything refused, with the reason, keyed by voteId when known. */
  public static final Topic<String, RejectedVote> VOTES_REJECTED =
      new Topic<>("votes.rejected", Serdes.String(), JsonSerde.of(RejectedVote.class));

  /** Band name to its absolute total: a changelog, so the latest value per key is the truth. */
  public static final Topic<String, Long> TALLIES_BANDS =
      new Topic<>("tallies.bands", Serdes.String(), Serdes.Long());

  /** Album of a band to its absolute count and rank statistics: a changelog. */
  public static final Topic<AlbumKey, AlbumTally> TALLIES_ALBUMS =
      new Topic<>("tallies.albums", JsonSerde.of(AlbumKey.class), JsonSerde.of(AlbumTally.class));

  /** Band in a 1-minute window (event time = receivedAt) to its absolute count in that window. */
  public static final Topic<BandMinute, Long> TALLIES_BANDS_PER_MINUTE =
      new Topic<>("tallies.bands-per-minute", JsonSerde.of(BandMinute.class), Serdes.Long());

  /**
   * Contest counters to absolute values: {@code accepted}, {@code duplicates}, and
   * {@code rejected.<reason>} (see {@link Stats}).
   */
  public static final Topic<String, Long> TALLIES_STATS =
      new Topic<>("tallies.stats", Serdes.String(), Serdes.Long());

  /**
   * The contest: a compacted topic of {@link CatalogEntry} records, written only by the contest tool
   * ({@code ./quetzal contest apply}, the Kubernetes catalog Job) and read from the beginning by the
   * streams app (a global store), ingest and the sinks. Readers take it as bytes and fold it through
   * {@link ContestState}, which skips a bad record instead of failing.
   */
  public static final Topic<String, CatalogEntry> CONTEST_CATALOG =
      new Topic<>("contest.catalog", Serdes.String(), JsonSerde.of(CatalogEntry.class));

  public static final List<Topic<?, ?>> ALL =
      List.of(
          CONTEST_CATALOG,
          VOTES_RAW,
          VOTES_ACCEPTED,
          VOTES_REJECTED,
          TALLIES_BANDS,
          TALLIES_ALBUMS,
          TALLIES_BANDS_PER_MINUTE,
          TALLIES_STATS);

  private Topics() {}
}
