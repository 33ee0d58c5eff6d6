package gt.quetzal.streams.query;

import gt.quetzal.streams.topology.StoreNames;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads the stores of this instance only, through interactive queries. With one instance that is
 * everything; with several, {@link RoutingTallies} decides when a local read is the right answer.
 * Only active stores are read, never standbys, so an answer is never stale.
 */
public final class LocalTallies implements TallyQueries {

  private final KafkaStreams streams;

  public LocalTallies(KafkaStreams streams) {
    this.streams = streams;
  }

  @Override
  public Map<String, Long> bandTotals() {
    return read(StoreNames.BAND_TOTALS, () -> all(keyValueStore(StoreNames.BAND_TOTALS)));
  }

  @Override
  public List<AlbumTally> albums(String band) {
    return read(
        StoreNames.ALBUM_TOTALS,
        () -> {
          // All albums of a band share a partition; the rest of this instance's albums are skipped.
          ReadOnlyKeyValueStore<AlbumKey, AlbumTally> store = keyValueStore(StoreNames.ALBUM_TOTALS);
          List<AlbumTally> albums = new ArrayList<>();
          try (KeyValueIterator<AlbumKey, AlbumTally> all = store.all()) {
            while (all.hasNext()) {
              KeyValue<AlbumKey, AlbumTally> entry = all.next();
              if (entry.key.band().equals(band)) {
                albums.add(entry.value);
              }
            }
          }
          return albums;
        });
  }

  @Override
  public List<MinuteCount> timeline(String band, long fromMs, long toMs) {
    return read(
        StoreNames.BAND_MINUTES,
        () -> {
          ReadOnlyWindowStore<String, Long> store =
              store(StoreNames.BAND_MINUTES, QueryableStoreTypes.windowStore());
          List<MinuteCount> minutes = new ArrayList<>();
          try (WindowStoreIterator<Long> windows =
              store.fetch(band, Instant.ofEpochMilli(fromMs), Instant.ofEpochMilli(toMs))) {
            windows.forEachRemaining(w -> minutes.add(new MinuteCount(w.key, w.value)));
          }
          return minutes;
        });
  }

  @Override
  public Map<String, Long> stats() {
    return read(StoreNames.STATS, () -> all(keyValueStore(StoreNames.STATS)));
  }

  private <K, V> ReadOnlyKeyValueStore<K, V> keyValueStore(String name) {
    return store(name, QueryableStoreTypes.keyValueStore());
  }

  private <T> T store(String name, QueryableStoreType<T> type) {
    return streams.store(StoreQueryParameters.fromNameAndType(name, type));
  }

  private static Map<String, Long> all(ReadOnlyKeyValueStore<String, Long> store) {
    Map<String, Long> values = new HashMap<>();
    try (KeyValueIterator<String, Long> all = store.all()) {
      all.forEachRemaining(entry -> values.put(entry.key, entry.value));
    }
    return values;
  }

  private <T> T read(String storeName, Supplier<T> query) {
    try {
      return query.get();
    } catch (InvalidStateStoreException e) {
      // Also thrown mid-iteration when a rebalance migrates the store away.
      throw new StoreUnavailableException(
          "store " + storeName + " is not queryable while the instance is " + streams.state(), e);
    }
  }
}
