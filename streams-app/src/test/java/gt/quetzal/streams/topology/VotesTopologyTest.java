package gt.quetzal.streams.topology;

import gt.quetzal.streams.runtime.RocksDBMemoryPool;
import gt.quetzal.streams.runtime.StreamsAppConfig;
import gt.quetzal.streams.runtime.StreamsConfigFactory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.CatalogEntry;
import gt.quetzal.contract.ContestApply;
import gt.quetzal.contract.ContestState;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.Stats;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The topology, built by the same {@link VotesTopology#build} the app runs, with the app's own
 * Streams properties (exactly-once, the RocksDB config setter), on explicit timestamps. Tallies leave
 * the per-task combiners on a wall-clock flush, which {@link #flush()} triggers.
 */
class VotesTopologyTest {

  private static final Instant WALL_CLOCK = Instant.parse("2026-11-26T18:00:00Z");
  private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final String TREBOL = "Malacates Trébol Shop";
  private static final String ALBUM = "Álbum Único";

  private static final Catalog CATALOG =
      new Catalog(
          "test contest",
          List.of(
              new Catalog.Band(
                  TREBOL,
                  List.of(new Catalog.Album("Resaca", 2002), new Catalog.Album("Crónicas de Mercado", 2009))),
              new Catalog.Band("Alux Nahual", List.of(new Catalog.Album("Hielo y Fuego", 1983)))));

  @TempDir Path stateDir;

  private StreamsAppConfig config;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> raw;
  private TestInputTopic<String, CatalogEntry> contest;
  private TestOutputTopic<String, VoteEvent> accepted;
  private TestOutputTopic<String, RejectedVote> rejected;
  private TestOutputTopic<String, Long> bandTallies;
  private TestOutputTopic<AlbumKey, AlbumTally> albumTallies;
  private TestOutputTopic<BandMinute, Long> minuteTallies;
  private TestOutputTopic<String, Long> statTallies;

  @BeforeEach
  void start() {
    start(TopologyOptions.defaults().withDedupRetention(RETENTION).withWindowGrace(GRACE));
  }

  private void start(TopologyOptions options) {
    if (driver != null) {
      stop();
    }
    config = StreamsAppConfig.fromEnv(Map.of("STATE_DIR", stateDir.toString()));
    driver =
        new TopologyTestDriver(
            VotesTopology.build(options), StreamsConfigFactory.properties(config), WALL_CLOCK);
    raw = driver.createInputTopic(Topics.VOTES_RAW.name(), new StringSerializer(), new ByteArraySerializer());
    contest =
        driver.createInputTopic(
            Topics.CONTEST_CATALOG.name(),
            Topics.CONTEST_CATALOG.keySerde().serializer(),
            Topics.CONTEST_CATALOG.valueSerde().serializer());
    accepted = output(Topics.VOTES_ACCEPTED);
    rejected = output(Topics.VOTES_REJECTED);
    bandTallies = output(Topics.TALLIES_BANDS);
    albumTallies = output(Topics.TALLIES_ALBUMS);
    minuteTallies = output(Topics.TALLIES_BANDS_PER_MINUTE);
    statTallies = output(Topics.TALLIES_STATS);
  }

  private <K, V> TestOutputTopic<K, V> output(gt.quetzal.contract.Topic<K, V> topic) {
    return driver.createOutputTopic(
        topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  /** What {@code ./quetzal contest apply} writes for this catalog on an empty topic. */
  private void applyContest(Catalog catalog) {
    for (ContestApply.Change change : ContestApply.plan(new ContestState(), catalog)) {
      contest.pipeInput(change.key(), change.entry());
    }
  }

  @AfterEach
  void stop() {
    driver.close();
    driver = null;
    RocksDBMemoryPool.release(StreamsConfigFactory.rocksDbPoolName(config));
  }

  // ---------------------------------------------------------------- accepted, band totals, dedup

  @Test
  void aValidVoteIsAcceptedAndCountedInEveryAggregate() {
    VoteEvent vote = vote("v-1", TREBOL, ALBUM, 87);
    send(vote, T0.plusSeconds(5));
    flush();

    // The accepted vote carries the time it is counted in: its record's timestamp (on votes.raw the
    // broker's append time), not the receivedAt ingest stamped with its own clock.
    VoteEvent counted = new VoteEvent(
        "v-1", TREBOL, ALBUM, 1997, 87, null, "http", T0.plusSeconds(5).toEpochMilli());
    assertThat(accepted.readKeyValuesToList()).containsExactly(KeyValue.pair("v-1", counted));
    assertThat(rejected.isEmpty()).isTrue();
    assertThat(bandTallies.readKeyValuesToList()).containsExactly(KeyValue.pair(TREBOL, 1L));
    assertThat(albumTallies.readKeyValuesToList())
        .containsExactly(
            KeyValue.pair(new AlbumKey(TREBOL, ALBUM), new AlbumTally(TREBOL, ALBUM, 1, 87, 87, 87)));
    assertThat(minuteTallies.readKeyValuesToList())
        .containsExactly(KeyValue.pair(new BandMinute(TREBOL, T0.toEpochMilli()), 1L));
    assertThat(statTallies.readKeyValuesToMap()).containsExactly(entry(Stats.ACCEPTED, 1L));

    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 1L));
    assertThat(storedStats()).containsExactly(entry(Stats.ACCEPTED, 1L));
    assertThat(storedMinutes(TREBOL)).containsExactly(entry(T0.toEpochMilli(), 1L));
  }

  @Test
  void talliesLeaveAtTheFlushAndAFlushWithNothingNewSendsNothing() {
    send(vote("v-1", TREBOL), T0);

    assertThat(accepted.getQueueSize()).isEqualTo(1);
    assertThat(bandTallies.isEmpty()).as("deltas wait in the combiner until the flush").isTrue();

    flush();
    assertThat(bandTallies.readKeyValuesToList()).containsExactly(KeyValue.pair(TREBOL, 1L));

    flush();
    assertThat(bandTallies.isEmpty()).isTrue();
    assertThat(statTallies.readKeyValuesToMap()).containsExactly(entry(Stats.ACCEPTED, 1L));
    assertThat(statTallies.isEmpty()).isTrue();
  }

  @Test
  void oneFlushSendsOneDeltaPerBandAlbumMinuteAndStatWhateverTheVoteCount() {
    String otherBand = "Alux Nahual";
    String otherAlbum = "Crónicas de Mercado";
    send(vote("v-1", TREBOL, ALBUM, 80), T0);
    send(vote("v-2", TREBOL, ALBUM, 90), T0.plusSeconds(10));
    send(vote("v-3", TREBOL, ALBUM, 70), T0.plusSeconds(65));
    send(vote("v-4", TREBOL, otherAlbum, 50), T0.plusSeconds(20));
    send(vote("v-5", otherBand, ALBUM, 60), T0.plusSeconds(30));
    send(vote("v-1", TREBOL, ALBUM, 80), T0.plusSeconds(40));
    flush();

    // One repartition topic; band, album and minute deltas keyed by band, stats by name. A minute's
    // delta is stamped with the minute's start.
    List<String> deltas =
        internal("tally-deltas", Serdes.String(), CompactSerdes.tallyDelta()).readRecordsToList().stream()
            .map(r -> r.key() + " " + r.value() + (r.value() instanceof TallyDelta.Minute
                ? " @" + (r.getRecordTime().toEpochMilli() - T0.toEpochMilli()) : ""))
            .toList();
    assertThat(deltas)
        .containsExactlyInAnyOrder(
            TREBOL + " " + new TallyDelta.Band(TREBOL, 4),
            otherBand + " " + new TallyDelta.Band(otherBand, 1),
            TREBOL + " " + new TallyDelta.Album(new AlbumKey(TREBOL, ALBUM), new AlbumTally(TREBOL, ALBUM, 3, 240, 70, 90)),
            TREBOL + " " + new TallyDelta.Album(new AlbumKey(TREBOL, otherAlbum), new AlbumTally(TREBOL, otherAlbum, 1, 50, 50, 50)),
            otherBand + " " + new TallyDelta.Album(new AlbumKey(otherBand, ALBUM), new AlbumTally(otherBand, ALBUM, 1, 60, 60, 60)),
            TREBOL + " " + new TallyDelta.Minute(new BandMinute(TREBOL, T0.toEpochMilli()), 3) + " @0",
            TREBOL + " " + new TallyDelta.Minute(new BandMinute(TREBOL, T0.toEpochMilli() + 60_000), 1) + " @60000",
            otherBand + " " + new TallyDelta.Minute(new BandMinute(otherBand, T0.toEpochMilli()), 1) + " @0",
            Stats.ACCEPTED + " " + new TallyDelta.Stat(Stats.ACCEPTED, 5),
            Stats.DUPLICATES + " " + new TallyDelta.Stat(Stats.DUPLICATES, 1));
  }

  private <K, V> TestOutputTopic<K, V> internal(String repartition, Serde<K> keys, Serde<V> values) {
    return driver.createOutputTopic(
        "quetzal-streams-" + repartition + "-repartition", keys.deserializer(), values.deserializer());
  }

  @Test
  void theSameVoteIdTwiceCountsOnceAndOnceAsADuplicate() {
    send(vote("v-1", "Bohemia Suburbana"), T0);
    send(vote("v-1", "Bohemia Suburbana"), T0.plusSeconds(5));
    flush();

    assertThat(accepted.readKeyValuesToList()).containsExactly(KeyValue.pair("v-1", vote("v-1", "Bohemia Suburbana")));
    assertThat(bandTallies.readKeyValuesToMap()).containsExactly(entry("Bohemia Suburbana", 1L));
    assertThat(storedStats()).containsOnly(entry(Stats.ACCEPTED, 1L), entry(Stats.DUPLICATES, 1L));
    assertThat(duplicatesMetric()).isEqualTo(1.0);
  }

  @Test
  void aRefusedVoteRetriedUnderItsVoteIdIsRefusedOnceLikeAnAcceptedOneIsCountedOnce() {
    applyContest(CATALOG);
    send(vote("v-1", "Los Desconocidos"), T0);
    send(vote("v-1", "Los Desconocidos"), T0.plusSeconds(1));
    send(vote("v-1", "Los Desconocidos"), T0.plusSeconds(2));
    raw.pipeInput("v-2", "{not json".getBytes(UTF_8), T0);
    raw.pipeInput("v-2", "{not json".getBytes(UTF_8), T0.plusSeconds(1));
    flush();

    assertThat(rejected.readKeyValuesToList())
        .extracting(kv -> kv.key + ":" + kv.value.reason())
        .containsExactly("v-1:unknown_band", "v-2:unparseable");
    assertThat(storedStats())
        .containsOnly(
            entry(Stats.REJECTED, 2L),
            entry(Stats.rejected("unknown_band"), 1L),
            entry(Stats.rejected("unparseable"), 1L),
            entry(Stats.DUPLICATES, 3L));
    assertThat(duplicatesMetric()).isEqualTo(3.0);
  }

  @Test
  void aDuplicateInALaterWindowCountsOnceEvenInTheTimeline() {
    send(vote("v-1", TREBOL), T0.plusSeconds(50));
    send(vote("v-1", TREBOL), T0.plusSeconds(70)); // next minute, still within the grace
    flush();

    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 1L));
    assertThat(storedMinutes(TREBOL)).containsExactly(entry(T0.toEpochMilli(), 1L));
    assertThat(storedStats()).containsOnly(entry(Stats.ACCEPTED, 1L), entry(Stats.DUPLICATES, 1L));
  }

  @Test
  void aRetriedCopyWithAnotherBandStillCountsOnce() {
    // The voteId is the identity: a copy whose payload changed is still the same vote.
    send(vote("v-1", "Alux Nahual"), T0);
    send(vote("v-1", "Viernes Verde"), T0.plusSeconds(1));
    flush();

    assertThat(bandTallies.readKeyValuesToMap()).containsExactly(entry("Alux Nahual", 1L));
  }

  @Test
  void aCopyAtExactlyTheRetentionIsStillADuplicate() {
    startWithLongGrace();
    send(vote("v-1", TREBOL), T0);
    send(vote("v-1", TREBOL), T0.plus(RETENTION));
    flush();

    assertThat(accepted.readRecordsToList())
        .extracting(r -> r.key() + "@" + r.getRecordTime())
        .containsExactly("v-1@" + T0);
    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 1L));
  }

  @Test
  void aCopyAfterTheRetentionCountsAgain() {
    send(vote("v-1", TREBOL), T0);
    send(vote("v-1", TREBOL), T0.plus(RETENTION).plusMillis(1));
    flush();

    assertThat(accepted.readRecordsToList())
        .extracting(r -> r.key() + "@" + r.getRecordTime())
        .containsExactly("v-1@" + T0, "v-1@" + T0.plus(RETENTION).plusMillis(1));
    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 2L));
    assertThat(duplicatesMetric()).isZero();
  }

  @Test
  void aCopyStampedBeforeStreamTimeMinusRetentionCountsAgain() {
    // Documents a limit: once stream time has moved on by more than the retention, an old-stamped
    // copy can no longer be matched, even though its own timestamp is close to the original's.
    // (A grace as long as the retention keeps the late check out of the way.)
    startWithLongGrace();
    send(vote("v-1", TREBOL), T0);
    send(vote("v-2", "Alux Nahual"), T0.plus(RETENTION.multipliedBy(2)));
    send(vote("v-1", TREBOL), T0.plus(Duration.ofMinutes(30)));
    flush();

    assertThat(storedBandTotals()).containsOnly(entry(TREBOL, 2L), entry("Alux Nahual", 1L));
    assertThat(acceptedIds()).containsExactly("v-1", "v-2", "v-1");
  }

  @Test
  void copiesEitherSideOfADedupBucketBoundaryAreDuplicates() {
    // T0 is hour-aligned, so with a one-hour retention T0 + 1 h starts the next lookup bucket: the
    // original and its copies sit in different buckets, in both orders.
    startWithLongGrace();
    Instant boundary = T0.plus(RETENTION);
    send(vote("v-late-first", TREBOL), boundary.plusSeconds(30));
    send(vote("v-late-first", TREBOL), boundary.minusSeconds(30));
    send(vote("v-early-first", TREBOL), boundary.minusMillis(1));
    send(vote("v-early-first", TREBOL), boundary);
    flush();

    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 2L));
    assertThat(duplicatesMetric()).isEqualTo(2.0);
  }

  @Test
  void anOutOfOrderEarlierCopyIsADuplicate() {
    send(vote("v-1", TREBOL), T0.plusSeconds(60));
    send(vote("v-1", TREBOL), T0);
    flush();

    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 1L));
  }

  // ------------------------------------------------------------------------ rejections

  @Test
  void unparseableRecordsAreRejectedAndTheAppKeepsCounting() {
    raw.pipeInput("junk-1", "{not json".getBytes(UTF_8), T0);
    raw.pipeInput("junk-2", new byte[] {(byte) 0xC3, (byte) 0x28, 0x7B}, T0);
    raw.pipeInput("junk-3", "[1,2,3]".getBytes(UTF_8), T0);
    raw.pipeInput("junk-4", (byte[]) null, T0);
    send(vote("v-1", TREBOL), T0.plusSeconds(1));
    flush();

    var rejections = rejected.readKeyValuesToList();
    assertThat(rejections).extracting(kv -> kv.key).containsExactly("junk-1", "junk-2", "junk-3", "junk-4");
    assertThat(rejections)
        .allSatisfy(
            kv -> {
              assertThat(kv.value.reason()).isEqualTo("unparseable");
              assertThat(kv.value.detail()).startsWith("value:");
              assertThat(kv.value.voteId()).isEqualTo(kv.key);
              assertThat(kv.value.rejectedAt()).isEqualTo(WALL_CLOCK.toEpochMilli());
            });
    assertThat(rejections.get(0).value.raw()).isEqualTo("{not json");
    assertThat(rejections.get(2).value.detail()).contains("expected a JSON object");
    assertThat(bandTallies.readKeyValuesToMap()).containsExactly(entry(TREBOL, 1L));
    assertThat(storedStats())
        .containsOnly(
            entry(Stats.ACCEPTED, 1L), entry(Stats.REJECTED, 4L), entry(Stats.rejected("unparseable"), 4L));
  }

  static Stream<Arguments> invalidFields() {
    return Stream.of(
        invalid("name", o -> o.remove("name")),
        invalid("name", o -> o.put("name", "   ")),
        invalid("name", o -> o.put("name", 42)),
        invalid("album", o -> o.remove("album")),
        invalid("album", o -> o.put("album", "")),
        invalid("year", o -> o.put("year", 1899)),
        invalid("year", o -> o.put("year", 2028)),
        invalid("year", o -> o.put("year", "nineteen")),
        invalid("year", o -> o.remove("year")),
        invalid("rank", o -> o.put("rank", 0)),
        invalid("rank", o -> o.put("rank", 101)),
        invalid("rank", o -> o.put("rank", 50.5)),
        invalid("rank", o -> o.putNull("rank")),
        invalid("voteId", o -> o.remove("voteId")),
        invalid("voteId", o -> o.put("voteId", "someone-else")),
        invalid("channel", o -> o.remove("channel")),
        invalid("receivedAt", o -> o.remove("receivedAt")),
        invalid("receivedAt", o -> o.put("receivedAt", -5)),
        invalid("voterId", o -> o.put("voterId", 7)));
  }

  private static Arguments invalid(String field, Consumer<ObjectNode> mutation) {
    return Arguments.of(field, mutation);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFields")
  void eachInvalidFieldIsRejectedAndNamed(String field, Consumer<ObjectNode> mutation) {
    ObjectNode json = Json.MAPPER.valueToTree(vote("v-1", TREBOL));
    mutation.accept(json);
    raw.pipeInput("v-1", json.toString().getBytes(UTF_8), T0);
    flush();

    var rejection = rejected.readKeyValue();
    assertThat(rejection.key).isEqualTo("v-1");
    assertThat(rejection.value.reason()).isEqualTo("invalid");
    assertThat(rejection.value.detail()).startsWith(field + ":");
    assertThat(rejection.value.raw()).isEqualTo(json.toString());
    assertThat(rejected.isEmpty()).isTrue();
    assertThat(accepted.isEmpty()).isTrue();
    assertThat(bandTallies.isEmpty()).isTrue();
    assertThat(albumTallies.isEmpty()).isTrue();
    assertThat(minuteTallies.isEmpty()).isTrue();
    assertThat(storedStats())
        .containsOnly(entry(Stats.REJECTED, 1L), entry(Stats.rejected("invalid"), 1L));
  }

  // ------------------------------------------------------------------------ names

  @Test
  void accentsAreKeptAndDecomposedFormsMeetTheComposedOne() {
    String decomposed = "Malacates Tre\u0301bol Shop";
    send(vote("v-1", TREBOL), T0);
    send(vote("v-2", "  " + decomposed + " "), T0);
    flush();

    assertThat(bandTallies.readKeyValuesToMap()).containsExactly(entry(TREBOL, 2L));
    assertThat(accepted.readValuesToList()).extracting(VoteEvent::name).containsOnly(TREBOL);
    assertThat(storedAlbums()).containsOnlyKeys(new AlbumKey(TREBOL, ALBUM));
  }

  @Test
  void unicodeNamesSurviveEveryKeyAndSerde() {
    String band = "Ñandú Sónico 🎸 ქართული";
    String album = "Canción «Ñ» — 第一";
    send(vote("v-1", band, album, 42), T0.plusSeconds(3));
    flush();

    assertThat(bandTallies.readKeyValuesToMap()).containsExactly(entry(band, 1L));
    assertThat(albumTallies.readKeyValuesToMap())
        .containsExactly(entry(new AlbumKey(band, album), new AlbumTally(band, album, 1, 42, 42, 42)));
    assertThat(minuteTallies.readKeyValuesToMap())
        .containsExactly(entry(new BandMinute(band, T0.toEpochMilli()), 1L));
    assertThat(storedMinutes(band)).containsExactly(entry(T0.toEpochMilli(), 1L));
  }

  @Test
  void inAnOpenContestAnyWellFormedVoteCountsAndSpellingsFoldToTheFirstOneCounted() {
    send(vote("v-1", "  Una Banda Nueva ", " Demo ", 50), T0);
    send(vote("v-2", "UNA  banda nueva", "DEMO", 50), T0);
    send(vote("v-3", "Otra", "demo", 50), T0);
    flush();

    assertThat(storedBandTotals()).containsOnly(entry("Una Banda Nueva", 2L), entry("Otra", 1L));
    assertThat(storedAlbums())
        .containsOnlyKeys(new AlbumKey("Una Banda Nueva", "Demo"), new AlbumKey("Otra", "demo"));
    assertThat(accepted.readValuesToList())
        .extracting(VoteEvent::name, VoteEvent::album)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("Una Banda Nueva", "Demo"),
            org.assertj.core.groups.Tuple.tuple("Una Banda Nueva", "Demo"),
            org.assertj.core.groups.Tuple.tuple("Otra", "demo"));
    assertThat(rejected.isEmpty()).isTrue();
  }

  @Test
  void withACatalogNamesMatchAfterTrimCaseAndAccentsAndTakeTheCanonicalSpelling() {
    applyContest(CATALOG);
    send(vote("v-1", "  malacates   TRE\u0301BOL shop ", " resaca", 70), T0);
    send(vote("v-2", "MALACATES TRÉBOL SHOP", "CRÓNICAS DE MERCADO", 90), T0);
    send(vote("v-3", "alux nahual", "hielo y fuego", 60), T0);
    flush();

    assertThat(accepted.readValuesToList())
        .extracting(VoteEvent::name, VoteEvent::album)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(TREBOL, "Resaca"),
            org.assertj.core.groups.Tuple.tuple(TREBOL, "Crónicas de Mercado"),
            org.assertj.core.groups.Tuple.tuple("Alux Nahual", "Hielo y Fuego"));
    assertThat(storedBandTotals()).containsOnly(entry(TREBOL, 2L), entry("Alux Nahual", 1L));
    assertThat(storedAlbums())
        .containsOnlyKeys(
            new AlbumKey(TREBOL, "Resaca"),
            new AlbumKey(TREBOL, "Crónicas de Mercado"),
            new AlbumKey("Alux Nahual", "Hielo y Fuego"));
    assertThat(storedMinutes(TREBOL)).containsExactly(entry(T0.toEpochMilli(), 2L));
    assertThat(rejected.isEmpty()).isTrue();
  }

  @Test
  void withACatalogUnknownBandsAndAlbumsAreRejectedWithTheirReason() {
    applyContest(CATALOG);
    send(vote("v-1", "Los Desconocidos", "Resaca", 50), T0);
    send(vote("v-2", "Malacates Trebol Shop", "Resaca", 50), T0); // accents are never stripped
    send(vote("v-3", TREBOL, "Hielo y Fuego", 50), T0); // another band's album
    send(vote("v-4", TREBOL, "Resaca", 50), T0);
    flush();

    Map<String, RejectedVote> rejections = rejected.readKeyValuesToMap();
    assertThat(rejections).containsOnlyKeys("v-1", "v-2", "v-3");
    assertThat(rejections.get("v-1").reason()).isEqualTo("unknown_band");
    assertThat(rejections.get("v-1").detail()).startsWith("name:").contains("Los Desconocidos");
    assertThat(rejections.get("v-2").reason()).isEqualTo("unknown_band");
    assertThat(rejections.get("v-3").reason()).isEqualTo("unknown_album");
    assertThat(rejections.get("v-3").detail()).startsWith("album:").contains("Hielo y Fuego", TREBOL);
    assertThat(rejections.get("v-3").raw()).contains("\"voteId\":\"v-3\"");
    assertThat(acceptedIds()).containsExactly("v-4");
    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 1L));
    assertThat(storedStats())
        .containsOnly(
            entry(Stats.ACCEPTED, 1L),
            entry(Stats.REJECTED, 3L),
            entry(Stats.rejected("unknown_band"), 2L),
            entry(Stats.rejected("unknown_album"), 1L));
  }

  // ------------------------------------------------------------------------ albums

  @Test
  void albumTotalsCarryExactRankStatisticsAcrossFlushes() {
    send(vote("v-1", TREBOL, "Resaca", 10), T0);
    send(vote("v-2", TREBOL, "Resaca", 90), T0.plusMillis(1));
    flush(); // one merged delta: count 2, sum 100, min 10, max 90
    send(vote("v-3", TREBOL, "Resaca", 55), T0.plusMillis(2));
    send(vote("v-4", TREBOL, "Resaca", 5), T0.plusMillis(3));
    send(vote("v-5", TREBOL, "Crónicas de Mercado", 100), T0.plusMillis(4));
    send(vote("v-6", "Alux Nahual", "Resaca", 77), T0.plusMillis(5)); // same title, other band
    flush();

    AlbumTally resaca = new AlbumTally(TREBOL, "Resaca", 4, 160, 5, 90);
    assertThat(storedAlbums())
        .containsOnly(
            entry(new AlbumKey(TREBOL, "Resaca"), resaca),
            entry(
                new AlbumKey(TREBOL, "Crónicas de Mercado"),
                new AlbumTally(TREBOL, "Crónicas de Mercado", 1, 100, 100, 100)),
            entry(new AlbumKey("Alux Nahual", "Resaca"), new AlbumTally("Alux Nahual", "Resaca", 1, 77, 77, 77)));
    assertThat(resaca.rankAverage()).isEqualTo(40.0);
    // The topic is a changelog: the last value per key is the truth.
    var changelog = albumTallies.readKeyValuesToList();
    assertThat(changelog.get(0))
        .as("the first flush's merged delta")
        .isEqualTo(KeyValue.pair(new AlbumKey(TREBOL, "Resaca"), new AlbumTally(TREBOL, "Resaca", 2, 100, 10, 90)));
    assertThat(changelog.subList(1, changelog.size()))
        .as("the second flush: one record per album touched, the totals so far")
        .containsExactlyInAnyOrder(
            KeyValue.pair(new AlbumKey(TREBOL, "Resaca"), resaca),
            KeyValue.pair(
                new AlbumKey(TREBOL, "Crónicas de Mercado"),
                new AlbumTally(TREBOL, "Crónicas de Mercado", 1, 100, 100, 100)),
            KeyValue.pair(new AlbumKey("Alux Nahual", "Resaca"), new AlbumTally("Alux Nahual", "Resaca", 1, 77, 77, 77)));
  }

  // ------------------------------------------------------------------------ windows and lateness

  @Test
  void aVoteAt59_999sAndOneAt60_000sFallInAdjacentMinutes() {
    send(vote("v-1", TREBOL), T0.plusMillis(59_999));
    send(vote("v-2", TREBOL), T0.plusMillis(60_000));
    flush();

    assertThat(storedMinutes(TREBOL))
        .containsExactly(entry(T0.toEpochMilli(), 1L), entry(T0.plusSeconds(60).toEpochMilli(), 1L));
    assertThat(minuteTallies.readKeyValuesToMap())
        .containsOnly(
            entry(new BandMinute(TREBOL, T0.toEpochMilli()), 1L),
            entry(new BandMinute(TREBOL, T0.plusSeconds(60).toEpochMilli()), 1L));
  }

  @Test
  void aLateVoteWithinTheGraceCountsAndOneAfterItIsRejectedAsLate() {
    // The minute [12:00, 12:01) closes at 12:01:30 with a 30 s grace.
    send(vote("v-1", "Alux Nahual"), T0.plus(Duration.ofMillis(89_999))); // stream time 12:01:29.999
    send(vote("v-2", TREBOL), T0.plusSeconds(10)); // out of order, but its minute is still open
    send(vote("v-3", "Alux Nahual"), T0.plusSeconds(90)); // stream time 12:01:30.000
    send(vote("v-4", TREBOL), T0.plusSeconds(20)); // its minute closed exactly now
    flush();

    assertThat(acceptedIds()).containsExactly("v-1", "v-2", "v-3");
    var refusals = rejected.readKeyValuesToList();
    assertThat(refusals).extracting(kv -> kv.key).containsExactly("v-4");
    RejectedVote late = refusals.get(0).value;
    assertThat(late.voteId()).isEqualTo("v-4");
    assertThat(late.reason()).isEqualTo("late");
    assertThat(late.detail()).startsWith("receivedAt:").contains("2026-11-26T12:01:30Z", "PT30S");
    assertThat(late.raw()).contains("\"voteId\":\"v-4\"");
    assertThat(rejected.isEmpty()).isTrue();

    // Late means counted nowhere.
    assertThat(storedBandTotals()).containsOnly(entry("Alux Nahual", 2L), entry(TREBOL, 1L));
    assertThat(storedMinutes(TREBOL)).containsExactly(entry(T0.toEpochMilli(), 1L));
    assertThat(storedStats())
        .containsOnly(entry(Stats.ACCEPTED, 3L), entry(Stats.REJECTED, 1L), entry(Stats.rejected("late"), 1L));
  }

  @Test
  void aCopyOfALateVoteIsADuplicateNotASecondLateVote() {
    send(vote("v-1", TREBOL), T0.plus(Duration.ofMinutes(5)));
    send(vote("v-2", TREBOL), T0);
    send(vote("v-2", TREBOL), T0);
    flush();

    assertThat(storedStats())
        .containsOnly(
            entry(Stats.ACCEPTED, 1L),
            entry(Stats.REJECTED, 1L),
            entry(Stats.rejected("late"), 1L),
            entry(Stats.DUPLICATES, 1L));
  }

  @Test
  void theGraceIsConfigurable() {
    start(TopologyOptions.defaults().withWindowGrace(Duration.ZERO));
    send(vote("v-1", TREBOL), T0.plusSeconds(60));
    send(vote("v-2", TREBOL), T0.plusSeconds(59));
    flush();

    assertThat(rejected.readKeyValuesToList())
        .extracting(kv -> kv.key + ":" + kv.value.reason())
        .containsExactly("v-2:late");
    assertThat(acceptedIds()).containsExactly("v-1");
    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 1L));
  }

  @Test
  void theTimelineKeepsEveryMinuteOfTheBand() {
    for (int minute = 0; minute < 5; minute++) {
      for (int i = 0; i <= minute; i++) {
        send(vote("v-" + minute + "-" + i, TREBOL), T0.plus(Duration.ofMinutes(minute)).plusSeconds(i));
      }
    }
    send(vote("other", "Alux Nahual"), T0.plus(Duration.ofMinutes(4)));
    flush();

    Map<Long, Long> expected = new HashMap<>();
    for (int minute = 0; minute < 5; minute++) {
      expected.put(T0.plus(Duration.ofMinutes(minute)).toEpochMilli(), minute + 1L);
    }
    assertThat(storedMinutes(TREBOL)).isEqualTo(expected);
    assertThat(storedMinutes("Alux Nahual"))
        .containsExactly(entry(T0.plus(Duration.ofMinutes(4)).toEpochMilli(), 1L));
  }

  // ------------------------------------------------------------------------ everything together

  @Test
  void totalsAlbumsAndStatsForAMixedStreamAreExact() {
    String[] bands = {TREBOL, "Bohemia Suburbana", "Alux Nahual", "Viernes Verde"};
    int[] votes = {7, 5, 3, 1};
    int id = 0;
    int retries = 0;
    for (int round = 0; round < 7; round++) {
      for (int b = 0; b < bands.length; b++) {
        if (round < votes[b]) {
          String voteId = "v-" + id++;
          Instant at = T0.plusMillis(id * 10L);
          send(vote(voteId, bands[b], "Álbum " + (round % 2), 10 + round), at);
          if (id % 3 == 0) {
            send(vote(voteId, bands[b]), at.plusMillis(1)); // a client retry
            retries++;
          }
        }
      }
      raw.pipeInput("bad-" + round, "{".getBytes(UTF_8), T0);
      if (round % 3 == 0) {
        flush();
      }
    }
    flush();

    Map<String, Long> expected =
        Map.of(TREBOL, 7L, "Bohemia Suburbana", 5L, "Alux Nahual", 3L, "Viernes Verde", 1L);
    assertThat(bandTallies.readKeyValuesToMap()).isEqualTo(expected);
    assertThat(storedBandTotals()).isEqualTo(expected);
    // Trébol: rounds 0..6, album by parity, rank 10 + round.
    assertThat(storedAlbums().get(new AlbumKey(TREBOL, "Álbum 0")))
        .isEqualTo(new AlbumTally(TREBOL, "Álbum 0", 4, 10 + 12 + 14 + 16, 10, 16));
    assertThat(storedAlbums().get(new AlbumKey(TREBOL, "Álbum 1")))
        .isEqualTo(new AlbumTally(TREBOL, "Álbum 1", 3, 11 + 13 + 15, 11, 15));
    assertThat(rejected.getQueueSize()).isEqualTo(7);
    Map<String, Long> stats =
        Map.of(
            Stats.ACCEPTED, 16L,
            Stats.DUPLICATES, (long) retries,
            Stats.REJECTED, 7L,
            Stats.rejected("unparseable"), 7L);
    assertThat(storedStats()).isEqualTo(stats);
    assertThat(statTallies.readKeyValuesToMap()).isEqualTo(stats);
    assertThat(duplicatesMetric()).isEqualTo(retries);
  }

  // ------------------------------------------------------------------------ one vote per voter

  @Test
  void withThePolicyOffAVoterMayVoteAnyNumberOfTimes() {
    send(voterVote("v-1", "ana", TREBOL), T0);
    send(voterVote("v-2", "ana", TREBOL), T0.plusSeconds(1));
    flush();

    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 2L));
  }

  @Test
  void perContestAVotersSecondVoteIsRejectedWhateverTheBand() {
    startWithVoterPolicy(VoterPolicy.PER_CONTEST);
    send(voterVote("v-1", "ana", TREBOL), T0);
    send(voterVote("v-2", "ana", "Alux Nahual"), T0.plusSeconds(1));
    send(voterVote("v-3", "beto", "Alux Nahual"), T0.plusSeconds(2));
    flush();

    assertThat(storedBandTotals()).containsOnly(entry(TREBOL, 1L), entry("Alux Nahual", 1L));
    assertThat(accepted.readKeyValuesToList()).extracting(kv -> kv.key).containsExactlyInAnyOrder("v-1", "v-3");
    List<KeyValue<String, RejectedVote>> refused = rejected.readKeyValuesToList();
    assertThat(refused).hasSize(1);
    assertThat(refused.get(0).key).isEqualTo("v-2");
    assertThat(refused.get(0).value.reason()).isEqualTo(VoterPolicyProcessor.ALREADY_VOTED);
    assertThat(refused.get(0).value.detail()).startsWith("voterId:").contains("v-1");
    assertThat(storedStats())
        .containsOnly(
            entry(Stats.ACCEPTED, 2L),
            entry(Stats.REJECTED, 1L),
            entry(Stats.rejected(VoterPolicyProcessor.ALREADY_VOTED), 1L));
  }

  @Test
  void perBandAVoterMayVoteOncePerBand() {
    startWithVoterPolicy(VoterPolicy.PER_BAND);
    send(voterVote("v-1", "ana", TREBOL), T0);
    send(voterVote("v-2", "ana", "Alux Nahual"), T0.plusSeconds(1));
    send(voterVote("v-3", "ana", TREBOL), T0.plusSeconds(2));
    flush();

    assertThat(storedBandTotals()).containsOnly(entry(TREBOL, 1L), entry("Alux Nahual", 1L));
    assertThat(rejected.readKeyValuesToList())
        .extracting(kv -> kv.key + "=" + kv.value.reason())
        .containsExactly("v-3=" + VoterPolicyProcessor.ALREADY_VOTED);
  }

  @Test
  void aRetryOfTheCountedVoteIsADuplicateNotASecondBallot() {
    startWithVoterPolicy(VoterPolicy.PER_CONTEST);
    send(voterVote("v-1", "ana", TREBOL), T0);
    send(voterVote("v-1", "ana", TREBOL), T0.plusSeconds(1));
    // Past the dedup retention only the ballot remembers the voteId.
    send(voterVote("v-1", "ana", TREBOL), T0.plus(RETENTION).plusSeconds(1));
    flush();

    assertThat(storedBandTotals()).containsExactly(entry(TREBOL, 1L));
    assertThat(rejected.isEmpty()).isTrue();
    assertThat(storedStats()).containsOnly(entry(Stats.ACCEPTED, 1L), entry(Stats.DUPLICATES, 2L));
  }

  @Test
  void withAPolicyOnAVoteWithoutVoterIsInvalidNamingTheField() {
    startWithVoterPolicy(VoterPolicy.PER_BAND);
    send(vote("v-1", TREBOL), T0);
    flush();

    assertThat(storedBandTotals()).isEmpty();
    var refusals = rejected.readKeyValuesToList();
    assertThat(refusals).extracting(kv -> kv.key).containsExactly("v-1");
    RejectedVote refusal = refusals.get(0).value;
    assertThat(refusal.reason()).isEqualTo(RawVoteReader.INVALID);
    assertThat(refusal.detail()).startsWith("voterId: required");
  }

  @Test
  void theVoterCheckSitsBehindANamedRepartitionOnlyWhenThePolicyIsOn() {
    String off = VotesTopology.build(TopologyOptions.defaults()).describe().toString();
    String on =
        VotesTopology.build(TopologyOptions.defaults().withVoterPolicy(VoterPolicy.PER_CONTEST))
            .describe()
            .toString();

    assertThat(off).doesNotContain("ballots", "voter-ballots");
    assertThat(on)
        .contains(
            "Sink: ballots-repartition-sink (topic: ballots-repartition)",
            "Processor: one-vote-per-voter (stores: [voter-ballots])",
            "Processor: all-verdicts");
  }

  // ------------------------------------------------------------------------ names of things

  @Test
  void operatorStoreAndInternalTopicNamesAreStable() {
    String description = VotesTopology.build(TopologyOptions.defaults()).describe().toString();

    assertThat(description)
        .contains(
            "Source: contest-catalog-source (topics: [contest.catalog])",
            "Processor: contest-catalog (stores: [contest])",
            "Source: votes-raw-source (topics: [votes.raw])",
            "Processor: spelling- (stores: [])",
            "Processor: key-by-band-name",
            "Sink: open-contest-votes-repartition-sink (topic: open-contest-votes-repartition)",
            "Processor: spell-names (stores: [name-spellings])",
            "Processor: spelled-verdicts",
            "Processor: check-vote (stores: [vote-dedup])",
            "Processor: verdict- (stores: [])",
            "Processor: verdict-rejected",
            "Processor: verdict-accepted",
            "Processor: unwrap-rejection",
            "Processor: unwrap-vote",
            "Sink: votes-accepted-sink (topic: votes.accepted)",
            "Sink: votes-rejected-sink (topic: votes.rejected)",
            "Processor: combine-deltas (stores: [pending-vote-deltas, pending-stat-deltas])",
            "Sink: tally-deltas-repartition-sink (topic: tally-deltas-repartition)",
            "Source: tally-deltas-repartition-source (topics: [tally-deltas-repartition])",
            "Processor: sum-tallies (stores: [",
            "Processor: totals-band",
            "Processor: key-band-total",
            "Sink: tallies-bands-sink (topic: tallies.bands)",
            "Processor: totals-album",
            "Processor: key-album-total",
            "Sink: tallies-albums-sink (topic: tallies.albums)",
            "Processor: totals-minute",
            "Processor: key-band-minute",
            "Sink: tallies-bands-per-minute-sink (topic: tallies.bands-per-minute)",
            "Processor: totals-stat",
            "Processor: key-stat-total",
            "Sink: tallies-stats-sink (topic: tallies.stats)");
    // A generated name (KSTREAM-MAPVALUES-0000000003) shifts whenever an operator is added.
    assertThat(description).doesNotContain("KSTREAM-", "KTABLE-");
    assertThat(
            VotesTopology.build(TopologyOptions.defaults()).describe().subtopologies().stream()
                .flatMap(sub -> sub.nodes().stream())
                .filter(node -> node.name().equals("sum-tallies"))
                .flatMap(node -> ((TopologyDescription.Processor) node).stores().stream()))
        .containsExactlyInAnyOrder(
            StoreNames.BAND_TOTALS, StoreNames.ALBUM_TOTALS, StoreNames.BAND_MINUTES, StoreNames.STATS);
  }

  @Test
  void internalTopicsCarryTheApplicationIdAndStoreNames() {
    send(vote("v-1", TREBOL), T0);
    flush();

    assertThat(driver.producedTopicNames())
        .contains(
            "quetzal-streams-tally-deltas-repartition",
            "quetzal-streams-band-totals-changelog",
            "quetzal-streams-album-totals-changelog",
            "quetzal-streams-band-minutes-changelog",
            "quetzal-streams-stats-changelog",
            "quetzal-streams-vote-dedup-changelog",
            "quetzal-streams-pending-vote-deltas-changelog")
        .noneMatch(topic -> topic.contains("KSTREAM-") || topic.contains("KTABLE-"));
  }

  @Test
  void theRocksDbStoresShareTheConfiguredPool() {
    send(vote("v-1", TREBOL), T0);
    flush();

    String pool = StreamsConfigFactory.rocksDbPoolName(config);
    assertThat(RocksDBMemoryPool.exists(pool)).isTrue();
    assertThat(RocksDBMemoryPool.acquire(pool, config.rocksDbCacheBytes()).cache().getUsage())
        .as("memtables of the open stores are charged to the shared cache")
        .isPositive();
  }

  // ------------------------------------------------------------------------ helpers

  /** A grace as long as the dedup retention, for dedup tests that move far back in time. */
  private void startWithLongGrace() {
    start(TopologyOptions.defaults().withDedupRetention(RETENTION).withWindowGrace(RETENTION.multipliedBy(3)));
  }

  private void startWithVoterPolicy(VoterPolicy policy) {
    start(
        TopologyOptions.defaults()
            .withDedupRetention(RETENTION)
            .withWindowGrace(RETENTION.multipliedBy(3))
            .withVoterPolicy(policy));
  }

  private static VoteEvent voterVote(String voteId, String voter, String band) {
    return new VoteEvent(voteId, band, ALBUM, 1997, 87, voter, "http", T0.toEpochMilli());
  }

  private void send(VoteEvent vote, Instant timestamp) {
    try {
      raw.pipeInput(vote.voteId(), Json.MAPPER.writeValueAsBytes(vote), timestamp);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Fires the combiners' wall-clock flush; the driver then runs the downstream reduces. */
  private void flush() {
    driver.advanceWallClockTime(TopologyOptions.DEFAULT_FLUSH_INTERVAL);
  }

  private static VoteEvent vote(String voteId, String band) {
    return vote(voteId, band, ALBUM, 87);
  }

  private static VoteEvent vote(String voteId, String band, String album, int rank) {
    return new VoteEvent(voteId, band, album, 1997, rank, null, "http", T0.toEpochMilli());
  }

  private <K, V> Map<K, V> stored(String storeName) {
    KeyValueStore<K, ValueAndTimestamp<V>> store = driver.getTimestampedKeyValueStore(storeName);
    Map<K, V> values = new HashMap<>();
    try (KeyValueIterator<K, ValueAndTimestamp<V>> all = store.all()) {
      all.forEachRemaining(entry -> values.put(entry.key, entry.value.value()));
    }
    return values;
  }

  private Map<String, Long> storedBandTotals() {
    return stored(StoreNames.BAND_TOTALS);
  }

  private Map<AlbumKey, AlbumTally> storedAlbums() {
    return stored(StoreNames.ALBUM_TOTALS);
  }

  private Map<String, Long> storedStats() {
    return stored(StoreNames.STATS);
  }

  /** Window start to count, for one band, over the whole retention. */
  private Map<Long, Long> storedMinutes(String band) {
    WindowStore<String, Long> store = driver.getWindowStore(StoreNames.BAND_MINUTES);
    Map<Long, Long> minutes = new HashMap<>();
    try (WindowStoreIterator<Long> windows =
        store.fetch(band, T0.minus(Duration.ofDays(1)), T0.plus(Duration.ofDays(1)))) {
      windows.forEachRemaining(w -> minutes.put(w.key, w.value));
    }
    return minutes;
  }

  private List<String> acceptedIds() {
    return accepted.readKeyValuesToList().stream().map(kv -> kv.key).toList();
  }

  private double duplicatesMetric() {
    return VoteIdMemory.duplicatesTotal(driver.metrics());
  }
}
