package gt.quetzal.streams.topology;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The dedup rule: a voteId is decided once within the retention. The first copy passes (a valid vote
 * on to be counted, a rejected one on to the rejected log), and later copies (client retries,
 * producer retries, an ingest replay) are duplicates, which the stats count and nothing else does,
 * and which the metric {@value #METRIC_GROUP}/{@value #METRIC_NAME} counts. So a refused vote retried
 * three times adds one to {@code rejected} and two to {@code duplicates}, as an accepted one adds one
 * to {@code accepted}.
 *
 * <h2>How</h2>
 *
 * <p>The store is a persistent <em>window</em> store keyed by voteId. The first copy is stored under
 * its retention-sized <em>bucket</em> ({@code floor(timestamp / retention) × retention}) with its own
 * record timestamp as the value. A later copy looks in its own bucket and the two neighbours, and is
 * a duplicate when any of them holds a timestamp within {@code ±retention} of its own (both ends
 * inclusive, so out-of-order copies are caught too). Each look is a point read: a range fetch opens a
 * RocksDB iterator per segment.
 *
 * <p><b>A Bloom filter in front of the reads.</b> Almost every voteId is new, and for a new one the
 * reads find nothing. Each bucket this task has written since it was initialised keeps a {@link
 * VoteIdFilter} of every voteId put into it, and a bucket whose filter says "not there" is not read.
 * Whether a bucket can have a filter is decided the first time it is touched after init, by asking
 * the store: empty then, every later put goes through here and the filter is complete; not empty (a
 * restart, a rebalance, a restore), the bucket is "cold" and read as before until it expires. Init
 * forgets every filter (Kafka Streams also re-initialises a task after it aborts a transaction), so a
 * filter never lacks a voteId the store has; a false "maybe" costs one read. Memory: {@value
 * #FILTER_BYTES} bytes per written bucket, at most four per task (the store's two retentions, the
 * current and the next bucket).
 *
 * <p>Time is the record timestamp, which the broker bounds (it refuses records more than an hour in
 * the future), not the payload's {@code receivedAt}: a garbage clock in a payload must not be able to
 * advance stream time and expire every remembered voteId at once.
 *
 * <p>Expiry needs no punctuator: the store keeps {@code 2 × retention} (so that the previous bucket
 * is still there while stream time crosses the current one), in segments of one retention, and drops a
 * whole segment once stream time has passed its end by that much. The store answers no lookups older
 * than its retention behind stream time, so a copy stamped that far behind stream time counts again
 * (it cannot be remembered), as does a copy more than the retention after the original.
 *
 * <h2>Cost</h2>
 *
 * <p>Per new vote: one put plus one changelog record, and a read only on a filter's false "maybe".
 * At R accepted votes/s an instance holds about {@code R × 2.5 × retention} entries on average (two
 * retentions plus half a segment not yet dropped), at most {@code 3 ×}: 9 M entries at 1,000 votes/s
 * and the default hour. An entry is about 60 bytes before RocksDB overhead (36-byte UUID key, 12-byte
 * window suffix, 8-byte value), so roughly 0.5–0.7 GB of disk at that rate, over 3 RocksDB instances
 * (one per segment) per partition. RocksDB's memory is bounded by the one shared cache of {@link
 * BoundedMemoryRocksDBConfig}. The changelog topic ({@code <application.id>-vote-dedup-changelog})
 * keeps each entry for the store's retention plus {@code windowstore.changelog.additional.retention.ms}
 * (1 day by default) on the broker. Caching is off for this store: every voteId is new, so a cache
 * would only delay the write.
 */
public final class VoteIdMemory {

  /** Kafka metric group of the duplicates counter ({@code stream-<scope>-metrics}). */
  public static final String METRIC_GROUP = "stream-quetzal-metrics";

  /** Kafka metric name of the duplicates counter: a cumulative count per stream thread. */
  public static final String METRIC_NAME = "duplicates-total";

  /** One bucket's filter: 1 MiB. */
  static final int FILTER_BYTES = 1 << 20;

  /**
   * Kafka Streams' smallest window-store segment. With a shorter retention a segment holds several
   * buckets, and asking the store whether one bucket is empty could scan the others' entries, so
   * below it no bucket gets a filter and every look-up reads the store (as before the filters).
   */
  static final long SEGMENT_FLOOR_MS = 60_000;

  private static final String METRIC_SCOPE = "quetzal";
  private static final String METRIC_ENTITY = "dedup";
  private static final String METRIC_OPERATION = "duplicates";

  private final long retentionMs;
  private final int filterBits;
  /** A bucket that held voteIds before this init: every lookup reads the store. */
  private static final VoteIdFilter COLD = new VoteIdFilter(64);

  /** A bucket known to be empty since this init: nothing to read until the first put. */
  private static final VoteIdFilter EMPTY = new VoteIdFilter(64);

  private final Map<Long, VoteIdFilter> buckets = new HashMap<>();
  private WindowStore<String, Long> seen;
  private Sensor duplicates;
  private long newestBucket;
  private long forgottenBelow;
  private long reads;

  /** Public for the benchmark's dedup floor (bench/StreamsFloor), which runs this very rule. */
  public VoteIdMemory(Duration retention) {
    this(retention, FILTER_BYTES * 8);
  }

  VoteIdMemory(Duration retention, int filterBits) {
    this.retentionMs = retention.toMillis();
    this.filterBits = filterBits;
  }

  /** The store this rule needs; added to the topology by {@link VotesTopology}. */
  public static StoreBuilder<WindowStore<String, Long>> storeBuilder(Duration retention) {
    // Two retentions, so the neighbouring bucket outlives the current one; segments of one retention
    // (Stores picks half the store's retention). windowSize only matters to windowed DSL operators.
    return Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                StoreNames.VOTE_DEDUP, retention.multipliedBy(2), retention, false),
            Serdes.String(),
            Serdes.Long())
        .withCachingDisabled();
  }

  /** Sums the duplicates counter over all stream threads of one client (or one test driver). */
  public static double duplicatesTotal(Map<MetricName, ? extends Metric> metrics) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
      MetricName name = entry.getKey();
      if (METRIC_GROUP.equals(name.group()) && METRIC_NAME.equals(name.name())) {
        Object value = entry.getValue().metricValue();
        if (value instanceof Number number) {
          total += number.doubleValue();
        }
      }
    }
    return total;
  }

  /** Starts over: no filter is trusted across an init (the store may have been restored or rolled back). */
  public void init(WindowStore<String, Long> store, StreamsMetrics metrics) {
    this.seen = store;
    // Thread-level and idempotent: every task on a thread shares the one sensor.
    this.duplicates =
        metrics.addRateTotalSensor(
            METRIC_SCOPE, METRIC_ENTITY, METRIC_OPERATION, Sensor.RecordingLevel.INFO);
    buckets.clear();
    newestBucket = Long.MIN_VALUE;
    forgottenBelow = Long.MIN_VALUE;
    reads = 0;
  }

  /**
   * Whether {@code voteId}, stamped {@code timestamp}, was decided before within the retention; if
   * not, remembers it. A duplicate is counted in the metric.
   */
  public boolean isCopy(String voteId, long timestamp) {
    long bucket = Math.floorDiv(timestamp, retentionMs) * retentionMs;
    long hash = VoteIdFilter.hash(voteId);
    if (seenWithinRetention(voteId, hash, timestamp, bucket)
        || seenWithinRetention(voteId, hash, timestamp, bucket - retentionMs)
        || seenWithinRetention(voteId, hash, timestamp, bucket + retentionMs)) {
      duplicates.record();
      return true;
    }
    seen.put(voteId, timestamp, bucket);
    remember(hash, bucket);
    return false;
  }

  /** Store reads since init: the lookups the filters could not answer (for tests). */
  long reads() {
    return reads;
  }

  private boolean seenWithinRetention(String voteId, long hash, long timestamp, long bucket) {
    if (bucket < 0) {
      return false;
    }
    VoteIdFilter filter = filterOf(bucket);
    if (filter != COLD && !filter.mightContain(hash)) {
      return false;
    }
    reads++;
    Long first = seen.fetch(voteId, bucket);
    return first != null && Math.abs(timestamp - first) <= retentionMs;
  }

  /**
   * The bucket's filter; {@link #COLD} when the bucket held voteIds before this init (or was
   * forgotten), so that only the store can answer for it. Decided once per bucket, by the store.
   */
  private VoteIdFilter filterOf(long bucket) {
    VoteIdFilter filter = buckets.get(bucket);
    if (filter != null) {
      return filter;
    }
    if (bucket < forgottenBelow || retentionMs < SEGMENT_FLOOR_MS) {
      return COLD;
    }
    try (KeyValueIterator<Windowed<String>, Long> held = seen.fetchAll(bucket, bucket)) {
      filter = held.hasNext() ? COLD : EMPTY;
    }
    buckets.put(bucket, filter);
    return filter;
  }

  private void remember(long hash, long bucket) {
    VoteIdFilter filter = filterOf(bucket);
    if (filter == COLD) {
      return;
    }
    if (filter == EMPTY) {
      filter = new VoteIdFilter(filterBits);
      buckets.put(bucket, filter);
    }
    filter.add(hash);
    if (bucket > newestBucket) {
      newestBucket = bucket;
      // The store forgets buckets two retentions behind the newest; the filters go sooner or at the
      // same time, and a forgotten bucket is asked of the store again.
      forgottenBelow = newestBucket - 2 * retentionMs;
      buckets.keySet().removeIf(b -> b < forgottenBelow);
    }
  }
}
