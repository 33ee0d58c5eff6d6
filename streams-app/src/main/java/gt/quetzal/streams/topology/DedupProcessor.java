package gt.quetzal.streams.topology;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Lets a voteId be decided once within the retention: the first copy passes (a {@link Verdict.Valid}
 * vote on to be counted, a {@link Verdict.Rejected} one on to the rejected log), and later copies
 * (client retries, producer retries, an ingest replay) become {@link Verdict.Duplicate}, which the
 * stats count and nothing else does, and are counted in the metric {@value #METRIC_GROUP}/{@value
 * #METRIC_NAME}. So a refused vote retried three times adds one to {@code rejected} and two to {@code
 * duplicates}, as an accepted one adds one to {@code accepted}. The voteId is the record key
 * ({@code votes.raw} is keyed by it); a rejection without a key passes untouched.
 *
 * <h2>How</h2>
 *
 * <p>The store is a persistent <em>window</em> store keyed by voteId. The first copy is stored under
 * its retention-sized <em>bucket</em> ({@code floor(timestamp / retention) × retention}) with its own
 * record timestamp as the value. A later copy looks up its own bucket and the two neighbours, three
 * point reads, and is a duplicate when any of them holds a timestamp within {@code ±retention} of its
 * own (both ends inclusive, so out-of-order copies are caught too). Point reads matter: a range fetch
 * opens a RocksDB iterator per segment, and that cost about two thirds of the app's CPU per vote in the
 * streams benchmark (docs/benchmarks.md); a point read of an absent key is mostly a bloom-filter probe.
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
 * <p>Per vote: three point reads (one usually on a segment that does not exist yet, which costs no
 * RocksDB call) and, for a new voteId, one put plus one changelog record. At R accepted votes/s an
 * instance holds about {@code R × 2.5 × retention} entries on average (two retentions plus half a
 * segment not yet dropped), at most {@code 3 ×}: 9 M entries at 1,000 votes/s and the default hour.
 * An entry is about 60 bytes before RocksDB overhead (36-byte UUID key, 12-byte window suffix, 8-byte
 * value), so roughly 0.5–0.7 GB of disk at that rate, over 3 RocksDB instances (one per segment) per
 * partition. Memory is RocksDB's: memtables and block cache, both bounded by the one shared cache of
 * {@link BoundedMemoryRocksDBConfig}. The changelog topic ({@code <application.id>-vote-dedup-changelog})
 * keeps each entry for the store's retention plus {@code windowstore.changelog.additional.retention.ms}
 * (1 day by default) on the broker. Caching is off for this store: every voteId is new, so a cache
 * would only delay the write.
 */
public final class DedupProcessor implements FixedKeyProcessor<String, Verdict, Verdict> {

  /** Kafka metric group of the duplicates counter ({@code stream-<scope>-metrics}). */
  public static final String METRIC_GROUP = "stream-quetzal-metrics";

  /** Kafka metric name of the duplicates counter: a cumulative count per stream thread. */
  public static final String METRIC_NAME = "duplicates-total";

  private static final String METRIC_SCOPE = "quetzal";
  private static final String METRIC_ENTITY = "dedup";
  private static final String METRIC_OPERATION = "duplicates";

  private final long retentionMs;
  private FixedKeyProcessorContext<String, Verdict> context;
  private WindowStore<String, Long> seen;
  private Sensor duplicates;

  DedupProcessor(Duration retention) {
    this.retentionMs = retention.toMillis();
  }

  /** The store this processor needs; added to the topology by {@link VotesTopology}. */
  static StoreBuilder<WindowStore<String, Long>> storeBuilder(Duration retention) {
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

  @Override
  public void init(FixedKeyProcessorContext<String, Verdict> context) {
    this.context = context;
    this.seen = context.getStateStore(StoreNames.VOTE_DEDUP);
    // Thread-level and idempotent: every task on a thread shares the one sensor.
    this.duplicates =
        context
            .metrics()
            .addRateTotalSensor(
                METRIC_SCOPE, METRIC_ENTITY, METRIC_OPERATION, Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(FixedKeyRecord<String, Verdict> record) {
    String voteId =
        record.value() instanceof Verdict.Valid valid ? valid.vote().voteId() : record.key();
    if (voteId == null || record.value() instanceof Verdict.Duplicate) {
      context.forward(record);
      return;
    }
    long timestamp = record.timestamp();
    long bucket = bucketOf(timestamp);
    if (seenWithinRetention(voteId, timestamp, bucket)
        || seenWithinRetention(voteId, timestamp, bucket - retentionMs)
        || seenWithinRetention(voteId, timestamp, bucket + retentionMs)) {
      duplicates.record();
      context.forward(record.withValue(new Verdict.Duplicate(voteId)));
      return;
    }
    seen.put(voteId, timestamp, bucket);
    context.forward(record);
  }

  private long bucketOf(long timestamp) {
    return Math.floorDiv(timestamp, retentionMs) * retentionMs;
  }

  private boolean seenWithinRetention(String voteId, long timestamp, long bucket) {
    if (bucket < 0) {
      return false;
    }
    Long first = seen.fetch(voteId, bucket);
    return first != null && Math.abs(timestamp - first) <= retentionMs;
  }
}
