package gt.quetzal.streams;

import gt.quetzal.contract.VoteEvent;
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
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Lets a {@link Verdict.Valid} vote through only the first time its voteId is seen within the
 * retention; later copies (client retries, producer retries, an ingest replay) become {@link
 * Verdict.Duplicate}, which the stats count and nothing else does, and are counted in the metric
 * {@value #METRIC_GROUP}/{@value #METRIC_NAME}. Other verdicts pass through untouched.
 *
 * <h2>How</h2>
 *
 * <p>The store is a persistent <em>window</em> store keyed by voteId, holding the record timestamp of
 * the first copy. A copy is a duplicate when an entry exists within {@code ±retention} of its own
 * timestamp (both ends inclusive, so out-of-order copies are caught too). Time is the record
 * timestamp, which the broker bounds (it refuses records more than an hour in the future), not the
 * payload's {@code receivedAt}: a garbage clock in a payload must not be able to advance stream time
 * and expire every remembered voteId at once.
 *
 * <p>Expiry needs no punctuator: the store is split into segments (retention / 2 each, at least one
 * minute) and a whole segment is dropped once stream time passes its end plus the retention. The
 * store answers no lookups older than {@code streamTime - retention}, so a copy arriving after the
 * retention counts again, as does a vote stamped older than that (it cannot be remembered either).
 *
 * <h2>Cost</h2>
 *
 * <p>At R accepted votes/s an instance holds at most about {@code R × 1.5 × retention} entries
 * (retention plus one segment not yet dropped): 5.4 M entries at 1,000 votes/s and the default hour.
 * An entry is about 60 bytes before RocksDB overhead (36-byte UUID key, 12-byte window suffix, 8-byte
 * value), so roughly 0.5 GB of disk at that rate, spread over 3 RocksDB instances (one per segment)
 * per partition. Memory is RocksDB's: per instance up to 3 × 16 MB memtables plus a block cache that
 * fills on demand, both bounded by the one shared cache of {@link BoundedMemoryRocksDBConfig}. The
 * changelog topic ({@code <application.id>-vote-dedup-changelog}) keeps each entry for retention plus
 * {@code windowstore.changelog.additional.retention.ms} (1 day by default) on the broker. Caching is
 * off for this store: every voteId is new, so a cache would only delay the write.
 */
final class DedupProcessor implements FixedKeyProcessor<String, Verdict, Verdict> {

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
    // windowSize only matters to windowed DSL operators; it must not exceed the retention.
    return Stores.windowStoreBuilder(
            Stores.persistentWindowStore(StoreNames.VOTE_DEDUP, retention, retention, false),
            Serdes.String(),
            Serdes.Long())
        .withCachingDisabled();
  }

  /** Sums the duplicates counter over all stream threads of one client (or one test driver). */
  static double duplicatesTotal(Map<MetricName, ? extends Metric> metrics) {
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
    if (!(record.value() instanceof Verdict.Valid valid)) {
      context.forward(record);
      return;
    }
    VoteEvent vote = valid.vote();
    String voteId = vote.voteId();
    long timestamp = record.timestamp();
    long from = Math.max(0L, timestamp - retentionMs);
    long to = timestamp > Long.MAX_VALUE - retentionMs ? Long.MAX_VALUE : timestamp + retentionMs;
    try (WindowStoreIterator<Long> earlier = seen.fetch(voteId, from, to)) {
      if (earlier.hasNext()) {
        duplicates.record();
        context.forward(record.withValue(new Verdict.Duplicate(vote)));
        return;
      }
    }
    seen.put(voteId, timestamp, timestamp);
    context.forward(record);
  }
}
