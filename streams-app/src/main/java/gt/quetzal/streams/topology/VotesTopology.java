package gt.quetzal.streams.topology;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;

/**
 * The vote-counting topology.
 *
 * <pre>
 * contest.catalog ─► global store contest (ContestStore: the contest every vote is matched against)
 *
 * votes.raw (String, bytes)
 *   → check-vote        one node (CheckVoteProcessor): parse, check fields, match the contest (a
 *                       catalog's canonical names); dedup by voteId (window store vote-dedup); the
 *                       vote's minute closed more than the grace ago → rejected "late"
 *   → (open contest only) key-by-band-name ─► open-contest-votes ─► spell-names (name-spellings)
 *                        → the first spelling counted, merged back keyed by voteId
 *   → (VOTER_POLICY on) key-by-ballot ─► ballots ─► one-vote-per-voter (voter-ballots)
 *                        → rejected "already_voted", merged back keyed by voteId
 *   ├─ verdict-rejected ─► votes.rejected (unparseable | invalid | unknown_band | unknown_album | late
 *   │                                       | already_voted)
 *   ├─ verdict-accepted ─► votes.accepted
 *   └─ (every verdict) combine-deltas  pending-vote-deltas, pending-stat-deltas
 *        ─► tally-deltas (keyed by band, or stat name) ─► sum-tallies
 *             (band-totals, album-totals, band-minutes: 1-min windows, stats)
 *        ├─ totals-band   ─► tallies.bands
 *        ├─ totals-album  ─► tallies.albums
 *        ├─ totals-minute ─► tallies.bands-per-minute
 *        └─ totals-stat   ─► tallies.stats
 * </pre>
 *
 * <p><b>Where the work happens.</b> Everything per vote happens once, on the task that reads the
 * vote's {@code votes.raw} partition: parsing, dedup, the late check, and one {@link TallyCombiner}
 * that sums the task's deltas for every aggregate. Only those merged deltas cross the one repartition
 * topic (a few records per band, album, minute and stat per flush interval, not one per vote), and
 * {@link SumTallies} adds up the deltas of all tasks into the absolute, queryable tallies. Under
 * {@code exactly_once_v2} the deltas are exact: each is sent exactly once, in the transaction that
 * consumed its votes.
 *
 * <p><b>Partitioning for queries.</b> Band totals and the per-minute timeline are keyed by band;
 * album totals by {@code AlbumKey} but partitioned by band alone ({@link Tallies#ALBUMS_BY_BAND}), so
 * one instance answers everything about one band. Stats are a handful of keys.
 *
 * <p><b>Windows.</b> Lateness is decided by {@link Lateness} with the configured grace,
 * before a vote is accepted. A minute delta is stamped with its window start, and {@link SumTallies}
 * keeps windows for the whole timeline retention (its grace is the retention minus one window, as a
 * windowed reduce's would be). That grace is deliberately wide: the sum's time mixes all {@code votes.raw}
 * partitions, so a narrow grace there would silently drop admitted votes from a partition that lags
 * (a restarted instance catching up), and the timeline would disagree with the band totals.
 *
 * <p>Every operator, store and repartition topic is named, so internal topic names ({@code
 * <application.id>-tally-deltas-repartition}, {@code <application.id>-band-totals-changelog}, ...) do
 * not shift when an operator is added or removed. Renaming any of them is a state migration, not a
 * refactoring. Every serde is explicit; the application configures no default serdes, so a forgotten
 * one fails at startup instead of serialising with the wrong format.
 *
 * <p>{@code votes.raw} is read as bytes so that no record can fail deserialisation and stop the app;
 * parsing happens in {@link RawVoteReader}, where a bad record becomes a rejection.
 */
public final class VotesTopology {

  private static final String REJECTED_BRANCH = "verdict-rejected";
  private static final String ACCEPTED_BRANCH = "verdict-accepted";

  private VotesTopology() {}

  /** Builds the topology. Pure: no I/O, no clock, no configuration lookups. */
  public static Topology build(TopologyOptions options) {
    Duration flush = options.flushInterval();

    StreamsBuilder builder = new StreamsBuilder();
    builder.addGlobalStore(
        ContestStore.builder(),
        Topics.CONTEST_CATALOG.name(),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("contest-catalog"),
        ContestStore.Updater::new);
    builder.addStateStore(VoteIdMemory.storeBuilder(options.dedupRetention()));
    builder.addStateStore(TallyCombiner.voteStore());
    builder.addStateStore(TallyCombiner.statStore());

    // A record with an invalid timestamp takes the partition's time instead of failing the task.
    KStream<String, byte[]> raw =
        builder.stream(
            Topics.VOTES_RAW.name(),
            Consumed.with(Serdes.String(), Serdes.ByteArray())
                .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp())
                .withName("votes-raw-source"));

    KStream<String, Verdict> checked =
        raw.processValues(
            () -> new CheckVoteProcessor(options.dedupRetention(), options.windowGrace()),
            Named.as("check-vote"),
            StoreNames.VOTE_DEDUP);
    KStream<String, Verdict> spelled = spellOpenContest(builder, checked);
    KStream<String, Verdict> verdicts =
        options.voterPolicy() == VoterPolicy.OFF
            ? spelled
            : oneVotePerVoter(builder, spelled, options.voterPolicy());

    // Duplicates take no branch: they only move the stats.
    Map<String, KStream<String, Verdict>> outcomes =
        verdicts
            .split(Named.as("verdict-"))
            .branch((voteId, verdict) -> verdict instanceof Verdict.Rejected, Branched.as("rejected"))
            .branch((voteId, verdict) -> verdict instanceof Verdict.Valid, Branched.as("accepted"))
            .noDefaultBranch();

    outcomes
        .get(REJECTED_BRANCH)
        .mapValues(VotesTopology::rejection, Named.as("unwrap-rejection"))
        .to(Topics.VOTES_REJECTED.name(), produced(Topics.VOTES_REJECTED, "votes-rejected-sink"));

    KStream<String, VoteEvent> accepted =
        outcomes.get(ACCEPTED_BRANCH).mapValues(VotesTopology::vote, Named.as("unwrap-vote"));
    accepted.to(
        Topics.VOTES_ACCEPTED.name(), produced(Topics.VOTES_ACCEPTED, "votes-accepted-sink"));

    // Every verdict feeds one combiner; its merged deltas cross one repartition topic, keyed by band
    // (or stat name), to the one processor that sums them into the four tallies.
    Duration timeline = options.timelineRetention();
    builder.addStateStore(SumTallies.bandTotals());
    builder.addStateStore(SumTallies.albumTotals());
    builder.addStateStore(SumTallies.bandMinutes(timeline));
    builder.addStateStore(SumTallies.statTotals());
    Map<String, KStream<String, TallyDelta>> totals =
        verdicts
            .process(
                () -> new TallyCombiner(flush),
                Named.as("combine-deltas"),
                StoreNames.PENDING_VOTE_DELTAS,
                StoreNames.PENDING_STAT_DELTAS)
            .repartition(
                Repartitioned.with(Serdes.String(), CompactSerdes.tallyDelta()).withName("tally-deltas"))
            .process(
                () -> new SumTallies(timeline.minus(TopologyOptions.WINDOW)),
                Named.as("sum-tallies"),
                StoreNames.BAND_TOTALS,
                StoreNames.ALBUM_TOTALS,
                StoreNames.BAND_MINUTES,
                StoreNames.STATS)
            .split(Named.as("totals-"))
            .branch((key, total) -> total instanceof TallyDelta.Band, Branched.as("band"))
            .branch((key, total) -> total instanceof TallyDelta.Album, Branched.as("album"))
            .branch((key, total) -> total instanceof TallyDelta.Minute, Branched.as("minute"))
            .branch((key, total) -> total instanceof TallyDelta.Stat, Branched.as("stat"))
            .noDefaultBranch();

    totals
        .get("totals-band")
        .map((key, total) -> bandDelta(total), Named.as("key-band-total"))
        .to(Topics.TALLIES_BANDS.name(), produced(Topics.TALLIES_BANDS, "tallies-bands-sink"));
    totals
        .get("totals-album")
        .map((key, total) -> albumDelta(total), Named.as("key-album-total"))
        .to(Topics.TALLIES_ALBUMS.name(), produced(Topics.TALLIES_ALBUMS, "tallies-albums-sink"));
    totals
        .get("totals-minute")
        .map((key, total) -> minuteTotal(total), Named.as("key-band-minute"))
        .to(
            Topics.TALLIES_BANDS_PER_MINUTE.name(),
            produced(Topics.TALLIES_BANDS_PER_MINUTE, "tallies-bands-per-minute-sink"));
    totals
        .get("totals-stat")
        .map((key, total) -> statDelta(total), Named.as("key-stat-total"))
        .to(Topics.TALLIES_STATS.name(), produced(Topics.TALLIES_STATS, "tallies-stats-sink"));

    return builder.build();
  }

  /**
   * Gives an open contest's votes their shown names: they cross a repartition by folded band name, so
   * that one task picks each band's spelling, and come back keyed by voteId. A catalog's votes are
   * spelled already and skip it; the path is always in the topology, so a contest can change between
   * open and catalog while the app runs, with no state migration.
   */
  private static KStream<String, Verdict> spellOpenContest(
      StreamsBuilder builder, KStream<String, Verdict> verdicts) {
    builder.addStateStore(SpellNamesProcessor.storeBuilder());
    Map<String, KStream<String, Verdict>> byNeed =
        verdicts
            .split(Named.as("spelling-"))
            .branch(
                (voteId, verdict) -> verdict instanceof Verdict.Valid valid && !valid.spelled(),
                Branched.as("open"))
            .defaultBranch(Branched.as("settled"));
    KStream<String, Verdict> spelled =
        byNeed
            .get("spelling-open")
            .map(
                (voteId, verdict) -> {
                  VoteEvent vote = vote(verdict);
                  return KeyValue.pair(SpellNamesProcessor.bandKey(vote), vote);
                },
                Named.as("key-by-band-name"))
            .repartition(
                Repartitioned.with(Serdes.String(), Topics.VOTES_ACCEPTED.valueSerde())
                    .withName("open-contest-votes"))
            .process(SpellNamesProcessor::new, Named.as("spell-names"), StoreNames.NAME_SPELLINGS);
    return byNeed.get("spelling-settled").merge(spelled, Named.as("spelled-verdicts"));
  }

  /**
   * Sends the still-valid votes through a repartition by ballot key, so that all votes of one voter
   * meet in one task, and merges the voter check's verdicts back with the settled ones. The vote
   * crosses the network once more (only while a policy is on); everything downstream is keyed by
   * voteId again.
   */
  private static KStream<String, Verdict> oneVotePerVoter(
      StreamsBuilder builder, KStream<String, Verdict> verdicts, VoterPolicy policy) {
    builder.addStateStore(VoterPolicyProcessor.storeBuilder());
    Serde<VoteEvent> voteSerde = Topics.VOTES_ACCEPTED.valueSerde();
    Map<String, KStream<String, Verdict>> byState =
        verdicts
            .split(Named.as("ballot-"))
            .branch((voteId, verdict) -> verdict instanceof Verdict.Valid, Branched.as("candidates"))
            .defaultBranch(Branched.as("settled"));
    KStream<String, Verdict> ballots =
        byState
            .get("ballot-candidates")
            .map(
                (voteId, verdict) -> {
                  VoteEvent vote = vote(verdict);
                  // No voter, no ballot: keyed by voteId, the check rejects it wherever it lands.
                  String key = vote.voterId() == null ? voteId : policy.ballotKey(vote);
                  return KeyValue.pair(key, vote);
                },
                Named.as("key-by-ballot"))
            .repartition(Repartitioned.with(Serdes.String(), voteSerde).withName("ballots"))
            .processValues(
                () -> new VoterPolicyProcessor(policy),
                Named.as("one-vote-per-voter"),
                StoreNames.VOTER_BALLOTS)
            .selectKey((ballot, verdict) -> voteIdOf(verdict), Named.as("key-by-vote-id"));
    return byState.get("ballot-settled").merge(ballots, Named.as("all-verdicts"));
  }

  private static String voteIdOf(Verdict verdict) {
    if (verdict instanceof Verdict.Valid valid) {
      return valid.vote().voteId();
    }
    if (verdict instanceof Verdict.Duplicate duplicate) {
      return duplicate.voteId();
    }
    return ((Verdict.Rejected) verdict).rejection().voteId();
  }

  private static <K, V> Produced<K, V> produced(Topic<K, V> topic, String name) {
    return Produced.with(topic.keySerde(), topic.valueSerde()).withName(name);
  }

  private static KeyValue<String, Long> bandDelta(TallyDelta delta) {
    TallyDelta.Band band = (TallyDelta.Band) delta;
    return KeyValue.pair(band.band(), band.count());
  }

  private static KeyValue<AlbumKey, AlbumTally> albumDelta(TallyDelta delta) {
    TallyDelta.Album album = (TallyDelta.Album) delta;
    return KeyValue.pair(album.key(), album.tally());
  }

  private static KeyValue<BandMinute, Long> minuteTotal(TallyDelta delta) {
    TallyDelta.Minute minute = (TallyDelta.Minute) delta;
    return KeyValue.pair(minute.minute(), minute.count());
  }

  private static KeyValue<String, Long> statDelta(TallyDelta delta) {
    TallyDelta.Stat stat = (TallyDelta.Stat) delta;
    return KeyValue.pair(stat.name(), stat.count());
  }

  private static RejectedVote rejection(Verdict verdict) {
    return ((Verdict.Rejected) verdict).rejection();
  }

  private static VoteEvent vote(Verdict verdict) {
    return ((Verdict.Valid) verdict).vote();
  }
}
