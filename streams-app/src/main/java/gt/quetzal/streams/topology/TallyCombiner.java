package gt.quetzal.streams.topology;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.Stats;
import gt.quetzal.contract.VoteEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * A combiner, in the map-reduce sense, for every aggregate at once: sums one task's verdicts in two
 * small pending stores and, every flush interval, forwards one merged {@link TallyDelta} per band,
 * album, band-minute and stat, keyed by {@link TallyDelta#partitionKey}, then forgets them.
 * Downstream, {@link SumTallies} adds up the deltas of all tasks, from one repartition topic, into
 * the absolute, queryable tallies.
 *
 * <p><b>Why combine.</b> Counting where the vote arrives means a vote crosses the network once (to
 * {@code votes.accepted}) instead of once per aggregate key: per flush interval each task sends a
 * handful of records per band, album, minute and stat, however many votes it read.
 *
 * <p><b>Why one combiner, keyed by (band, album, minute).</b> Every accepted vote lands on exactly one
 * such key, and each aggregate is a sum over it: an album's delta sums its minutes, a band's its
 * albums and minutes, a band-minute its albums, the accepted stat everything. So a vote costs one get
 * and one put on one store with a numeric value, instead of a get and a put per aggregate (four, each
 * serialising names behind the record cache: the largest share of a vote's CPU in the streams
 * benchmark, docs/benchmarks.md). The other verdicts (rejected, duplicate; a few percent) move named
 * stat counters in a second store.
 *
 * <p><b>Exactly once.</b> The pending deltas live in changelogged stores, not in fields: under {@code
 * exactly_once_v2} the stores' changelogs, the forwarded deltas and the consumed offsets commit in
 * one transaction, so a crash either keeps a delta pending (and the next owner of the task flushes
 * it) or has already sent it, never both and never neither. Deltas in a plain map would be lost
 * whenever a commit fell between a vote and the next flush.
 *
 * <p><b>Cost.</b> Per vote one put on an in-memory store behind the record cache (no changelog
 * write per vote: the cache coalesces them until the commit); the earlier value comes from a map
 * that mirrors the vote store (loaded from it at every init), not from a read through the store. The stores hold only the
 * keys touched since the last flush. Latency: at most one flush interval more than a direct
 * aggregate; the flush interval defaults to the commit interval, since a delta is invisible until
 * the commit anyway.
 */
final class TallyCombiner implements Processor<String, Verdict, String, TallyDelta> {

  private final Duration flushInterval;
  private ProcessorContext<String, TallyDelta> context;
  private KeyValueStore<VoteCell, RankDelta> votes;
  private KeyValueStore<String, Long> stats;
  /** What the vote store holds, read from memory instead of through the store on every vote. */
  private final Map<VoteCell, RankDelta> pendingVotes = new HashMap<>();

  TallyCombiner(Duration flushInterval) {
    this.flushInterval = flushInterval;
  }

  /** The pending stores: in memory (they stay tiny), changelogged, behind the record cache. */
  static StoreBuilder<KeyValueStore<VoteCell, RankDelta>> voteStore() {
    return pending(StoreNames.PENDING_VOTE_DELTAS, CompactSerdes.voteCell(), CompactSerdes.rankDelta());
  }

  static StoreBuilder<KeyValueStore<String, Long>> statStore() {
    return pending(StoreNames.PENDING_STAT_DELTAS, Serdes.String(), Serdes.Long());
  }

  private static <K, V> StoreBuilder<KeyValueStore<K, V>> pending(
      String name, Serde<K> keySerde, Serde<V> valueSerde) {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keySerde, valueSerde)
        .withCachingEnabled();
  }

  @Override
  public void init(ProcessorContext<String, TallyDelta> context) {
    this.context = context;
    this.votes = context.getStateStore(StoreNames.PENDING_VOTE_DELTAS);
    this.stats = context.getStateStore(StoreNames.PENDING_STAT_DELTAS);
    // The store is the truth (restored, or rolled back with an aborted transaction before this init);
    // the map only saves a read per vote.
    pendingVotes.clear();
    try (KeyValueIterator<VoteCell, RankDelta> all = votes.all()) {
      all.forEachRemaining(entry -> pendingVotes.put(entry.key, entry.value));
    }
    // Wall-clock, so deltas leave even when no more votes arrive.
    context.schedule(flushInterval, PunctuationType.WALL_CLOCK_TIME, this::flush);
  }

  @Override
  public void process(Record<String, Verdict> record) {
    if (record.value() instanceof Verdict.Valid valid) {
      VoteEvent vote = valid.vote();
      VoteCell cell =
          new VoteCell(vote.name(), vote.album(), TopologyOptions.windowStart(record.timestamp()));
      RankDelta delta = RankDelta.of(vote.rank());
      RankDelta sum = pendingVotes.merge(cell, delta, RankDelta::plus);
      votes.put(cell, sum);
      return;
    }
    // The accepted stat is not kept here: it is the sum of the cells, computed at the flush.
    for (KeyValue<String, Long> stat : Tallies.statDeltas(record.value())) {
      Long earlier = stats.get(stat.key);
      stats.put(stat.key, earlier == null ? stat.value : earlier + stat.value);
    }
  }

  private void flush(long wallClock) {
    // Stream time is unknown only if no record was seen since a restart; the wall clock is then the
    // best available stand-in and is never behind the pending votes.
    long streamTime = context.currentStreamTimeMs();
    long stamp = streamTime >= 0 ? streamTime : wallClock;

    Map<String, Long> bands = new LinkedHashMap<>();
    Map<AlbumKey, AlbumTally> albums = new LinkedHashMap<>();
    Map<BandMinute, Long> minutes = new LinkedHashMap<>();
    Map<String, Long> statTotals = new HashMap<>();
    long accepted = 0;
    for (Map.Entry<VoteCell, RankDelta> entry : pendingVotes.entrySet()) {
      VoteCell cell = entry.getKey();
      RankDelta delta = entry.getValue();
      votes.delete(cell);
      bands.merge(cell.band(), delta.count(), Long::sum);
      albums.merge(
          new AlbumKey(cell.band(), cell.album()),
          new AlbumTally(cell.band(), cell.album(), delta.count(), delta.rankSum(), delta.rankMin(), delta.rankMax()),
          Tallies::merge);
      minutes.merge(new BandMinute(cell.band(), cell.minuteStart()), delta.count(), Long::sum);
      accepted += delta.count();
    }
    pendingVotes.clear();
    if (accepted > 0) {
      statTotals.put(Stats.ACCEPTED, accepted);
    }
    for (KeyValue<String, Long> entry : drain(stats)) {
      statTotals.merge(entry.key, entry.value, Long::sum);
    }

    bands.forEach((band, count) -> forward(new TallyDelta.Band(band, count), stamp));
    albums.forEach((key, tally) -> forward(new TallyDelta.Album(key, tally), stamp));
    // A minute's delta carries the minute's start as its timestamp: that places it in its window.
    minutes.forEach((minute, count) -> forward(new TallyDelta.Minute(minute, count), minute.minuteStart()));
    statTotals.forEach((name, count) -> forward(new TallyDelta.Stat(name, count), stamp));
  }

  private void forward(TallyDelta delta, long timestamp) {
    context.forward(new Record<>(delta.partitionKey(), delta, timestamp));
  }

  /** Reads every pending entry and deletes it (in the same transaction as the forwarded deltas). */
  private static <K, V> List<KeyValue<K, V>> drain(KeyValueStore<K, V> store) {
    List<KeyValue<K, V>> entries = new ArrayList<>();
    try (KeyValueIterator<K, V> all = store.all()) {
      all.forEachRemaining(entries::add);
    }
    for (KeyValue<K, V> entry : entries) {
      store.delete(entry.key);
    }
    return entries;
  }
}
