package gt.quetzal.streams.topology;

/**
 * The state store names, shared by {@link VotesTopology} (which creates the stores) and the
 * interactive-query layer (which reads them).
 *
 * <p>A store name is part of the application's persistent identity: it names the local RocksDB
 * directory and the changelog topic {@code <application.id>-<store>-changelog}. Renaming one
 * silently starts that state from empty on the next deploy, so treat these as a wire contract.
 */
public final class StoreNames {

  /** Key-value store: band name to its absolute vote total. Queryable, partitioned by band. */
  public static final String BAND_TOTALS = "band-totals";

  /**
   * Key-value store: {@code AlbumKey(band, album)} to its {@code AlbumTally}. Queryable; partitioned
   * by band alone ({@code Tallies.ALBUMS_BY_BAND}), so one instance holds all albums of a band.
   */
  public static final String ALBUM_TOTALS = "album-totals";

  /**
   * Window store, 1-minute tumbling windows: band to its vote count in that minute (event time).
   * Queryable over a time range; kept for the timeline retention. Partitioned by band.
   */
  public static final String BAND_MINUTES = "band-minutes";

  /** Key-value store: stat name ({@code gt.quetzal.contract.Stats}) to its absolute count. Queryable. */
  public static final String STATS = "stats";

  /** Window store: voteId to the timestamp it was first seen, kept for the dedup retention. */
  public static final String VOTE_DEDUP = "vote-dedup";

  /**
   * Key-value store: ballot key ({@link VoterPolicy#ballotKey}) to the voteId counted for it. Only
   * in the topology while a voter policy is on; kept for the whole contest.
   */
  public static final String VOTER_BALLOTS = "voter-ballots";

  /**
   * Pending per-task deltas of {@link TallyCombiner}, not yet flushed: accepted votes per (band,
   * album, minute), and the other verdicts' stat counters. Internal, not worth querying.
   */
  public static final String PENDING_VOTE_DELTAS = "pending-vote-deltas";

  public static final String PENDING_STAT_DELTAS = "pending-stat-deltas";

  /**
   * Global store over {@code contest.catalog}: the contest every instance matches votes against
   * ({@link ContestStore}). In memory, rebuilt from the topic at each start; queryable.
   */
  public static final String CONTEST = "contest";

  /**
   * Key-value store of an open contest: folded band (and band + album) name to the spelling shown,
   * the first one counted. Partitioned by folded band name ({@link SpellNamesProcessor}).
   */
  public static final String NAME_SPELLINGS = "name-spellings";

  private StoreNames() {}
}
