package gt.quetzal.streams.query;

import gt.quetzal.streams.topology.StoreNames;
import gt.quetzal.streams.topology.Tallies;

import gt.quetzal.contract.AlbumTally;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Answers for the whole application, whichever instance is asked.
 *
 * <ul>
 *   <li><b>One band</b> (albums, timeline): {@code queryMetadataForKey} names the instance whose
 *       active task owns the band's partition, found through its {@code application.server}. This
 *       instance reads its own store when it is the owner, else asks the owner once ({@link
 *       PeerClient}).
 *   <li><b>All keys</b> (standings, stats): every instance hosting an active copy of the store
 *       ({@code streamsMetadataForStore}) is asked in parallel for its part, and the parts are summed.
 *       Partitions are disjoint, so the sum is the total. If any part is missing the whole answer is
 *       refused (503) rather than given short.
 * </ul>
 *
 * <p>{@link #ownedOnly()} is the view a forwarded request gets: local reads only, and a refusal when
 * the key has moved away in the meantime, never a second hop.
 */
public final class RoutingTallies implements TallyQueries {

  public static final Duration DEFAULT_PEER_TIMEOUT = Duration.ofSeconds(3);

  private static final Serializer<String> BAND_SERIALIZER = Serdes.String().serializer();

  private final KafkaStreams streams;
  private final HostInfo self;
  private final TallyQueries local;
  private final PeerClient peers;
  private final Duration timeout;

  /**
   * @param self  this instance's {@code application.server}
   * @param local reads of this instance's stores
   */
  public RoutingTallies(KafkaStreams streams, HostInfo self, TallyQueries local, Duration timeout) {
    this.streams = streams;
    this.self = self;
    this.local = local;
    this.peers = new PeerClient(self.host() + ":" + self.port(), timeout);
    this.timeout = timeout.plusSeconds(1);
  }

  @Override
  public Map<String, Long> bandTotals() {
    return summed(StoreNames.BAND_TOTALS, local::bandTotals, peers::bandTotals);
  }

  @Override
  public Map<String, Long> stats() {
    return summed(StoreNames.STATS, local::stats, peers::stats);
  }

  @Override
  public List<AlbumTally> albums(String band) {
    HostInfo owner = albumOwner(band).activeHost();
    return self.equals(owner) ? local.albums(band) : await(peers.albums(owner, band));
  }

  @Override
  public List<MinuteCount> timeline(String band, long fromMs, long toMs) {
    HostInfo owner = minutesOwner(band).activeHost();
    return self.equals(owner)
        ? local.timeline(band, fromMs, toMs)
        : await(peers.timeline(owner, band, fromMs, toMs));
  }

  /** Local answers for what this instance owns; for a request another instance forwarded here. */
  public TallyQueries ownedOnly() {
    return new TallyQueries() {
      @Override
      public Map<String, Long> bandTotals() {
        return local.bandTotals();
      }

      @Override
      public List<AlbumTally> albums(String band) {
        requireOwned(albumOwner(band), StoreNames.ALBUM_TOTALS, band);
        return local.albums(band);
      }

      @Override
      public List<MinuteCount> timeline(String band, long fromMs, long toMs) {
        requireOwned(minutesOwner(band), StoreNames.BAND_MINUTES, band);
        return local.timeline(band, fromMs, toMs);
      }

      @Override
      public Map<String, Long> stats() {
        return local.stats();
      }
    };
  }

  private KeyQueryMetadata albumOwner(String band) {
    return available(
        StoreNames.ALBUM_TOTALS,
        band,
        streams.queryMetadataForKey(
            StoreNames.ALBUM_TOTALS, Tallies.anyAlbumOf(band), Tallies.ALBUMS_BY_BAND));
  }

  private KeyQueryMetadata minutesOwner(String band) {
    return available(
        StoreNames.BAND_MINUTES,
        band,
        streams.queryMetadataForKey(StoreNames.BAND_MINUTES, band, BAND_SERIALIZER));
  }

  private static KeyQueryMetadata available(String store, String band, KeyQueryMetadata metadata) {
    if (metadata == null
        || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)
        || metadata.activeHost() == null
        || metadata.activeHost().port() < 0) {
      throw new StoreUnavailableException(
          "no instance owns " + band + " in " + store + " yet (starting or rebalancing)", null);
    }
    return metadata;
  }

  private void requireOwned(KeyQueryMetadata metadata, String store, String band) {
    if (!self.equals(metadata.activeHost())) {
      throw new StoreUnavailableException(
          band + " in " + store + " moved to " + metadata.activeHost() + " while the request was forwarded",
          null);
    }
  }

  private Map<String, Long> summed(
      String store,
      Supplier<Map<String, Long>> localPart,
      Function<HostInfo, CompletableFuture<Map<String, Long>>> remotePart) {
    List<StreamsMetadata> hosts =
        streams.streamsMetadataForStore(store).stream()
            .filter(host -> host.stateStoreNames().contains(store))
            .toList();
    if (hosts.isEmpty()) {
      throw new StoreUnavailableException("no instance serves " + store + " yet (starting or rebalancing)", null);
    }
    // Ask the others first so they work while this instance reads its own stores.
    List<CompletableFuture<Map<String, Long>>> remote = new ArrayList<>();
    boolean includesSelf = false;
    for (StreamsMetadata host : hosts) {
      if (self.equals(host.hostInfo())) {
        includesSelf = true;
      } else {
        remote.add(remotePart.apply(host.hostInfo()));
      }
    }
    Map<String, Long> sum = new HashMap<>();
    if (includesSelf) {
      localPart.get().forEach((key, value) -> sum.merge(key, value, Long::sum));
    }
    for (CompletableFuture<Map<String, Long>> part : remote) {
      await(part).forEach((key, value) -> sum.merge(key, value, Long::sum));
    }
    return sum;
  }

  private <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreUnavailableException unavailable) {
        throw unavailable;
      }
      throw new StoreUnavailableException("a peer query failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new StoreUnavailableException("a peer query timed out after " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while waiting for a peer", e);
    }
  }
}
