package gt.quetzal.streams.topology;

import gt.quetzal.streams.runtime.RocksDBMemoryPool;
import gt.quetzal.streams.runtime.StreamsAppConfig;
import gt.quetzal.streams.runtime.StreamsConfigFactory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.CatalogEntry;
import gt.quetzal.contract.ContestApply;
import gt.quetzal.contract.ContestState;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contest as data: {@code contest.catalog} records change what the running topology counts, with
 * no restart, as {@code ./quetzal contest apply} does on a live stack.
 */
class ContestTopologyTest {

  private static final Instant WALL_CLOCK = Instant.parse("2026-11-26T18:00:00Z");
  private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
  private static final Catalog TWO_BANDS =
      new Catalog(
          "dos bandas",
          List.of(
              new Catalog.Band("Band A", List.of(new Catalog.Album("Uno", 2001))),
              new Catalog.Band("Band B", List.of(new Catalog.Album("Uno", 2002)))));

  @TempDir Path stateDir;

  private StreamsAppConfig config;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> raw;
  private TestInputTopic<String, CatalogEntry> catalogTopic;
  private TestOutputTopic<String, RejectedVote> rejected;
  private ContestState applied = new ContestState();

  @BeforeEach
  void start() {
    config = StreamsAppConfig.fromEnv(Map.of("STATE_DIR", stateDir.toString()));
    driver =
        new TopologyTestDriver(
            VotesTopology.build(TopologyOptions.defaults()), StreamsConfigFactory.properties(config), WALL_CLOCK);
    raw = driver.createInputTopic(Topics.VOTES_RAW.name(), new StringSerializer(), new ByteArraySerializer());
    catalogTopic =
        driver.createInputTopic(
            Topics.CONTEST_CATALOG.name(),
            Topics.CONTEST_CATALOG.keySerde().serializer(),
            Topics.CONTEST_CATALOG.valueSerde().serializer());
    rejected =
        driver.createOutputTopic(
            Topics.VOTES_REJECTED.name(),
            Topics.VOTES_REJECTED.keySerde().deserializer(),
            Topics.VOTES_REJECTED.valueSerde().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
    RocksDBMemoryPool.release(StreamsConfigFactory.rocksDbPoolName(config));
  }

  @Test
  void aBandAddedWhileRunningCountsFromThatMomentAndEarlierVotesStayRejected() {
    apply(TWO_BANDS);
    send("v-1", "Band C", "Tres");
    send("v-2", "band a", "uno");

    apply(withBand(TWO_BANDS, new Catalog.Band("Band C", List.of(new Catalog.Album("Tres", 2003)))));
    send("v-3", "BAND C", "tres");
    flush();

    assertThat(bandTotals()).containsOnly(entry("Band A", 1L), entry("Band C", 1L));
    assertThat(rejections()).containsOnlyKeys("v-1");
    assertThat(rejectionsSoFar.get("v-1").reason()).isEqualTo("unknown_band");
  }

  @Test
  void aRemovedBandKeepsItsVotesAndRefusesNewOnes() {
    apply(TWO_BANDS);
    send("v-1", "Band B", "Uno");
    send("v-2", "Band B", "Uno");
    flush();

    apply(new Catalog("dos bandas", List.of(TWO_BANDS.bands().get(0))));
    send("v-3", "Band B", "Uno");
    send("v-4", "Band A", "Uno");
    flush();

    assertThat(bandTotals()).containsOnly(entry("Band A", 1L), entry("Band B", 2L));
    assertThat(rejections()).containsOnlyKeys("v-3");
    assertThat(rejectionsSoFar.get("v-3").reason()).isEqualTo("unknown_band");
  }

  @Test
  void anAlbumRemovedFromABandIsUnknownForThatBandOnly() {
    apply(TWO_BANDS);
    apply(
        new Catalog(
            "dos bandas",
            List.of(
                new Catalog.Band("Band A", List.of(new Catalog.Album("Dos", 2004))),
                TWO_BANDS.bands().get(1))));
    send("v-1", "Band A", "Uno");
    send("v-2", "Band B", "Uno");
    flush();

    assertThat(rejections()).containsOnlyKeys("v-1");
    assertThat(rejectionsSoFar.get("v-1").reason()).isEqualTo("unknown_album");
    assertThat(bandTotals()).containsOnly(entry("Band B", 1L));
  }

  @Test
  void aCatalogContestCanBeOpenedAndClosedWhileRunning() {
    apply(TWO_BANDS);
    send("v-1", "Nueva", "Demo");
    apply(null);
    send("v-2", "Nueva", "Demo");
    send("v-3", "NUEVA", "demo");
    apply(TWO_BANDS);
    send("v-4", "Nueva", "Demo");
    flush();

    assertThat(bandTotals()).containsOnly(entry("Nueva", 2L));
    assertThat(rejections()).containsOnlyKeys("v-1", "v-4");
  }

  @Test
  void anOpenContestKeepsTheFirstSpellingOfABandAndOfEachOfItsAlbums() {
    send("v-1", "la tona", "xela nocturna");
    flush();
    send("v-2", "La Tona", "Xela Nocturna");
    send("v-3", "LA  TONA ", "XELA NOCTURNA");
    send("v-4", "La Tona", "Lago");
    flush();

    assertThat(bandTotals()).containsOnly(entry("la tona", 4L));
    assertThat(albumTotals()).containsOnly(entry("la tona — xela nocturna", 3L), entry("la tona — Lago", 1L));
  }

  @Test
  void aRecordThatIsNotAContestEntryIsSkippedAndTheContestStands() {
    apply(TWO_BANDS);
    TestInputTopic<String, byte[]> rawCatalog =
        driver.createInputTopic(Topics.CONTEST_CATALOG.name(), new StringSerializer(), new ByteArraySerializer());
    rawCatalog.pipeInput("band c", "{not json".getBytes(UTF_8));
    rawCatalog.pipeInput("", "{\"kind\":\"band\",\"name\":\"X\",\"albums\":[]}".getBytes(UTF_8));
    rawCatalog.pipeInput("wrong key", "{\"kind\":\"band\",\"name\":\"Band C\",\"albums\":[{\"title\":\"T\",\"year\":1}]}".getBytes(UTF_8));
    send("v-1", "Band C", "T");
    send("v-2", "Band A", "Uno");
    flush();

    assertThat(bandTotals()).containsOnly(entry("Band A", 1L));
    assertThat(rejections()).containsOnlyKeys("v-1");
  }

  // ------------------------------------------------------------------------ helpers

  private final Map<String, RejectedVote> rejectionsSoFar = new HashMap<>();

  private Map<String, RejectedVote> rejections() {
    rejectionsSoFar.putAll(rejected.readKeyValuesToMap());
    return rejectionsSoFar;
  }

  /** Writes what {@code ./quetzal contest apply} would write, given what was applied before. */
  private void apply(Catalog catalog) {
    for (ContestApply.Change change : ContestApply.plan(applied, catalog)) {
      catalogTopic.pipeInput(change.key(), change.entry());
      applied.apply(change.key(), change.entry());
    }
  }

  private static Catalog withBand(Catalog catalog, Catalog.Band band) {
    List<Catalog.Band> bands = new java.util.ArrayList<>(catalog.bands());
    bands.add(band);
    return new Catalog(catalog.contest(), bands);
  }

  private void send(String voteId, String band, String album) {
    VoteEvent vote = new VoteEvent(voteId, band, album, 2001, 50, null, "http", T0.toEpochMilli());
    try {
      raw.pipeInput(voteId, Json.MAPPER.writeValueAsBytes(vote), T0);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    rejections();
  }

  private void flush() {
    driver.advanceWallClockTime(TopologyOptions.DEFAULT_FLUSH_INTERVAL);
  }

  private Map<String, Long> bandTotals() {
    Map<String, Long> totals = new HashMap<>();
    KeyValueStore<String, ValueAndTimestamp<Long>> store = driver.getTimestampedKeyValueStore(StoreNames.BAND_TOTALS);
    try (KeyValueIterator<String, ValueAndTimestamp<Long>> all = store.all()) {
      all.forEachRemaining(e -> totals.put(e.key, e.value.value()));
    }
    return totals;
  }

  private Map<String, Long> albumTotals() {
    Map<String, Long> totals = new HashMap<>();
    KeyValueStore<gt.quetzal.contract.AlbumKey, ValueAndTimestamp<gt.quetzal.contract.AlbumTally>> store =
        driver.getTimestampedKeyValueStore(StoreNames.ALBUM_TOTALS);
    try (var all = store.all()) {
      all.forEachRemaining(e -> totals.put(e.key.label(), e.value.value().count()));
    }
    return totals;
  }
}
