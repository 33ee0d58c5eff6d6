package gt.quetzal.streams.topology;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.Topics;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the merged deltas of every {@link TallyCombiner} into the four queryable tallies, and forwards
 * each new total. One processor over one repartition topic ({@code tally-deltas}), keyed by band (or
 * stat name), instead of a DSL reduce per aggregate over a topic each: the same sums in a third of
 * the tasks, and a third of the repartition partitions in every transaction.
 *
 * <p><b>The stores are what the DSL reduces made</b>, so the interactive queries and the changelogs
 * ({@code <application.id>-<store>-changelog}) keep their names and formats: timestamped key-value
 * stores for band totals, album totals and stats, a timestamped window store of 1-minute windows for
 * the timeline, each with the record cache and a changelog. A total's timestamp is the latest of its
 * deltas', as a DSL reduce keeps it.
 *
 * <p><b>Every new total is forwarded at once</b>, in the same transaction as the store write. A
 * total forwarded later (on a cache flush or a timer) could miss its transaction after the store's
 * own write had committed, and the output topic would keep a stale last value.
 *
 * <p><b>Minutes</b> follow the windowed reduce's rule: a minute's delta is dropped when its window
 * ended more than {@code timelineGrace} before the newest minute this processor has summed (since it
 * was initialised). The late check upstream ({@link Lateness}) refuses votes long before that, so a
 * drop here means a bug, and is logged.
 */
final class SumTallies implements Processor<String, TallyDelta, String, TallyDelta> {

  private static final Logger LOG = LoggerFactory.getLogger(SumTallies.class);

  private final long timelineGraceMs;
  private ProcessorContext<String, TallyDelta> context;
  private TimestampedKeyValueStore<String, Long> bands;
  private TimestampedKeyValueStore<AlbumKey, AlbumTally> albums;
  private TimestampedWindowStore<String, Long> minutes;
  private TimestampedKeyValueStore<String, Long> stats;
  private long newestMinute;

  SumTallies(Duration timelineGrace) {
    this.timelineGraceMs = timelineGrace.toMillis();
  }

  static StoreBuilder<TimestampedKeyValueStore<String, Long>> bandTotals() {
    return counts(StoreNames.BAND_TOTALS);
  }

  static StoreBuilder<TimestampedKeyValueStore<String, Long>> statTotals() {
    return counts(StoreNames.STATS);
  }

  static StoreBuilder<TimestampedKeyValueStore<AlbumKey, AlbumTally>> albumTotals() {
    return Stores.timestampedKeyValueStoreBuilder(
            Stores.persistentTimestampedKeyValueStore(StoreNames.ALBUM_TOTALS),
            Topics.TALLIES_ALBUMS.keySerde(),
            Topics.TALLIES_ALBUMS.valueSerde())
        .withCachingEnabled();
  }

  /** One-minute windows kept for {@code retention}, as {@code TimeWindows} with that retention keeps them. */
  static StoreBuilder<TimestampedWindowStore<String, Long>> bandMinutes(Duration retention) {
    return Stores.timestampedWindowStoreBuilder(
            Stores.persistentTimestampedWindowStore(
                StoreNames.BAND_MINUTES, retention, TopologyOptions.WINDOW, false),
            Serdes.String(),
            Serdes.Long())
        .withCachingEnabled();
  }

  private static StoreBuilder<TimestampedKeyValueStore<String, Long>> counts(String name) {
    return Stores.timestampedKeyValueStoreBuilder(
            Stores.persistentTimestampedKeyValueStore(name), Serdes.String(), Serdes.Long())
        .withCachingEnabled();
  }

  @Override
  public void init(ProcessorContext<String, TallyDelta> context) {
    this.context = context;
    this.bands = context.getStateStore(StoreNames.BAND_TOTALS);
    this.albums = context.getStateStore(StoreNames.ALBUM_TOTALS);
    this.minutes = context.getStateStore(StoreNames.BAND_MINUTES);
    this.stats = context.getStateStore(StoreNames.STATS);
    this.newestMinute = Long.MIN_VALUE;
  }

  @Override
  public void process(Record<String, TallyDelta> record) {
    TallyDelta delta = record.value();
    long timestamp = record.timestamp();
    if (delta instanceof TallyDelta.Band band) {
      ValueAndTimestamp<Long> total = add(bands, band.band(), band.count(), timestamp);
      forward(record, new TallyDelta.Band(band.band(), total.value()), total.timestamp());
    } else if (delta instanceof TallyDelta.Stat stat) {
      ValueAndTimestamp<Long> total = add(stats, stat.name(), stat.count(), timestamp);
      forward(record, new TallyDelta.Stat(stat.name(), total.value()), total.timestamp());
    } else if (delta instanceof TallyDelta.Album album) {
      ValueAndTimestamp<AlbumTally> earlier = albums.get(album.key());
      ValueAndTimestamp<AlbumTally> total =
          earlier == null
              ? ValueAndTimestamp.make(album.tally(), timestamp)
              : ValueAndTimestamp.make(
                  Tallies.merge(earlier.value(), album.tally()), Math.max(earlier.timestamp(), timestamp));
      albums.put(album.key(), total);
      forward(record, new TallyDelta.Album(album.key(), total.value()), total.timestamp());
    } else {
      addMinute(record, (TallyDelta.Minute) delta);
    }
  }

  private void addMinute(Record<String, TallyDelta> record, TallyDelta.Minute delta) {
    BandMinute minute = delta.minute();
    long start = minute.minuteStart();
    newestMinute = Math.max(newestMinute, record.timestamp());
    if (start + TopologyOptions.WINDOW.toMillis() + timelineGraceMs <= newestMinute) {
      LOG.warn(
          "dropped {} votes of {} in the minute starting {}: past the timeline's grace",
          delta.count(), minute.band(), start);
      return;
    }
    ValueAndTimestamp<Long> earlier = minutes.fetch(minute.band(), start);
    long total = (earlier == null ? 0 : earlier.value()) + delta.count();
    long timestamp = earlier == null ? record.timestamp() : Math.max(earlier.timestamp(), record.timestamp());
    minutes.put(minute.band(), ValueAndTimestamp.make(total, timestamp), start);
    forward(record, new TallyDelta.Minute(minute, total), timestamp);
  }

  private static ValueAndTimestamp<Long> add(
      KeyValueStore<String, ValueAndTimestamp<Long>> store, String key, long count, long timestamp) {
    ValueAndTimestamp<Long> earlier = store.get(key);
    ValueAndTimestamp<Long> total =
        earlier == null
            ? ValueAndTimestamp.make(count, timestamp)
            : ValueAndTimestamp.make(earlier.value() + count, Math.max(earlier.timestamp(), timestamp));
    store.put(key, total);
    return total;
  }

  private void forward(Record<String, TallyDelta> record, TallyDelta total, long timestamp) {
    context.forward(record.withValue(total).withTimestamp(timestamp));
  }
}
