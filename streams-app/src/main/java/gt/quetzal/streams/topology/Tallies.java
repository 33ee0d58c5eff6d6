package gt.quetzal.streams.topology;

import static java.nio.charset.StandardCharsets.UTF_8;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.Stats;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StreamPartitioner;

/** The small pure functions the aggregates are made of. */
public final class Tallies {

  private Tallies() {}

  /** Adds two album deltas (or a delta to a total): counts and sums add, min and max combine. */
  static AlbumTally merge(AlbumTally a, AlbumTally b) {
    return new AlbumTally(
        a.band(),
        a.album(),
        a.count() + b.count(),
        a.rankSum() + b.rankSum(),
        Math.min(a.rankMin(), b.rankMin()),
        Math.max(a.rankMax(), b.rankMax()));
  }

  /** The stat counters one verdict moves, each by one. */
  static List<KeyValue<String, Long>> statDeltas(Verdict verdict) {
    if (verdict instanceof Verdict.Valid) {
      return List.of(KeyValue.pair(Stats.ACCEPTED, 1L));
    }
    if (verdict instanceof Verdict.Duplicate) {
      return List.of(KeyValue.pair(Stats.DUPLICATES, 1L));
    }
    String reason = ((Verdict.Rejected) verdict).rejection().reason();
    return List.of(KeyValue.pair(Stats.REJECTED, 1L), KeyValue.pair(Stats.rejected(reason), 1L));
  }

  /**
   * Partitions album keys by band alone, with the same hash the default partitioner applies to a
   * String key, so all albums of a band sit in one partition: one instance answers "this band's
   * albums", found through {@code queryMetadataForKey} with this partitioner.
   */
  public static final StreamPartitioner<AlbumKey, AlbumTally> ALBUMS_BY_BAND =
      (topic, key, value, numPartitions) ->
          Optional.of(Set.of(partitionOf(key.band(), numPartitions)));

  static int partitionOf(String band, int numPartitions) {
    return Utils.toPositive(Utils.murmur2(band.getBytes(UTF_8))) % numPartitions;
  }

  /** A key that routes like every album of {@code band} under {@link #ALBUMS_BY_BAND}. */
  public static AlbumKey anyAlbumOf(String band) {
    return new AlbumKey(band, "");
  }
}
