package gt.quetzal.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import org.apache.kafka.common.serialization.Serde;
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
 * A combiner, in the map-reduce sense: merges the deltas of one task per key in a small pending
 * store and forwards one merged delta per key every flush interval, then forgets it. Downstream, a
 * plain DSL reduce over a repartition topic adds the deltas of all tasks into the absolute tally.
 *
 * <p><b>Why.</b> Counting where the vote arrives means a vote crosses the network once (to {@code
 * votes.accepted}) instead of once per aggregate key: per flush interval each task sends a handful of
 * records per band, album, minute and stat, however many votes it read. Without it every vote would
 * be repartitioned by band, again by album, and once more onto a single "accepted" key, which one
 * task would then have to count alone.
 *
 * <p><b>Exactly once.</b> The pending deltas live in a changelogged store, not in a field: under
 * {@code exactly_once_v2} the store's changelog, the forwarded deltas and the consumed offsets commit
 * in one transaction, so a crash either keeps a delta pending (and the next owner of the task flushes
 * it) or has already sent it, never both and never neither. Deltas in a plain map would be lost
 * whenever a commit fell between a vote and the next flush.
 *
 * <p><b>Cost.</b> Per vote one get and one put on an in-memory store behind the record cache (no
 * changelog write per vote: the cache coalesces them until the commit). The store holds only the keys
 * touched since the last flush. Latency: at most one flush interval more than a direct aggregate;
 * the flush interval defaults to the commit interval, since a delta is invisible until the commit
 * anyway.
 *
 * @param <KIn> key of the records read
 * @param <VIn> value of the records read
 * @param <K>   the aggregate's key (band, album, minute, stat name)
 * @param <V>   the delta (a count, or an album's rank statistics)
 */
final class DeltaCombiner<KIn, VIn, K, V> implements Processor<KIn, VIn, K, V> {

  /** The deltas one record contributes (none, one, or several keys). */
  @FunctionalInterface
  interface Deltas<KIn, VIn, K, V> {
    Iterable<KeyValue<K, V>> of(Record<KIn, VIn> record);
  }

  /**
   * The timestamp a flushed delta carries, given the task's stream time at the flush. Event time,
   * never the wall clock: a delta must not claim to be newer than the votes it sums, or it would push
   * stream time downstream ahead of the data.
   */
  @FunctionalInterface
  interface FlushTimestamp<K> {
    long of(K key, long streamTime);

    /** The task's stream time (the newest vote seen): right for aggregates that ignore time. */
    static <K> FlushTimestamp<K> streamTime() {
      return (key, streamTime) -> streamTime;
    }
  }

  private final String storeName;
  private final Deltas<KIn, VIn, K, V> deltas;
  private final BinaryOperator<V> merge;
  private final Duration flushInterval;
  private final FlushTimestamp<K> timestamps;
  private ProcessorContext<K, V> context;
  private KeyValueStore<K, V> pending;

  DeltaCombiner(
      String storeName,
      Deltas<KIn, VIn, K, V> deltas,
      BinaryOperator<V> merge,
      Duration flushInterval,
      FlushTimestamp<K> timestamps) {
    this.storeName = storeName;
    this.deltas = deltas;
    this.merge = merge;
    this.flushInterval = flushInterval;
    this.timestamps = timestamps;
  }

  /** The pending store: in memory (it stays tiny), changelogged, behind the record cache. */
  static <K, V> StoreBuilder<KeyValueStore<K, V>> storeBuilder(
      String name, Serde<K> keySerde, Serde<V> valueSerde) {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keySerde, valueSerde)
        .withCachingEnabled();
  }

  @Override
  public void init(ProcessorContext<K, V> context) {
    this.context = context;
    this.pending = context.getStateStore(storeName);
    // Wall-clock, so deltas leave even when no more votes arrive.
    context.schedule(flushInterval, PunctuationType.WALL_CLOCK_TIME, this::flush);
  }

  @Override
  public void process(Record<KIn, VIn> record) {
    for (KeyValue<K, V> delta : deltas.of(record)) {
      V earlier = pending.get(delta.key);
      pending.put(delta.key, earlier == null ? delta.value : merge.apply(earlier, delta.value));
    }
  }

  private void flush(long wallClock) {
    // Stream time is unknown only if no record was seen since a restart; the wall clock is then the
    // best available stand-in and is never behind the pending votes.
    long streamTime = context.currentStreamTimeMs();
    long stamp = streamTime >= 0 ? streamTime : wallClock;
    List<KeyValue<K, V>> merged = new ArrayList<>();
    try (KeyValueIterator<K, V> all = pending.all()) {
      all.forEachRemaining(merged::add);
    }
    for (KeyValue<K, V> delta : merged) {
      context.forward(new Record<>(delta.key, delta.value, timestamps.of(delta.key, stamp)));
      pending.delete(delta.key);
    }
  }
}
