package gt.quetzal.sinks;

import static gt.quetzal.sinks.TallyRecords.raw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.sinks.RedisMirrorScript.FieldWrite;
import gt.quetzal.sinks.RedisMirrorScript.HashWrites;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** How a poll of tally records becomes guarded writes: no Redis here (see RedisMirrorScriptIT for the script). */
class RedisTallySinkTest {

  private static final long MINUTE = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RecordDecoder decoder = new RecordDecoder("redis", registry);

  private RedisTallySink.Plan plan(List<ConsumerRecord<byte[], byte[]>> batch) throws Exception {
    return RedisTallySink.plan(batch, decoder);
  }

  private static Map<String, HashWrites> byKey(RedisTallySink.Plan plan) {
    return plan.writes().stream().collect(Collectors.toMap(HashWrites::key, Function.identity()));
  }

  private static Map<String, FieldWrite> fields(HashWrites hash) {
    return hash.fields().stream().collect(Collectors.toMap(FieldWrite::field, Function.identity()));
  }

  private double skipped() {
    return registry.get("quetzal.sink.records.skipped").tag("store", "redis").counter().count();
  }

  @Test
  void keepsTheNewestRecordPerBandWithItsOffsetAsTheVersion() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(
            raw(Topics.TALLIES_BANDS, 0, 10, "Alux Nahual", 1L),
            raw(Topics.TALLIES_BANDS, 1, 4, "Malacates Trébol Shop", 7L),
            raw(Topics.TALLIES_BANDS, 0, 11, "Alux Nahual", 2L),
            raw(Topics.TALLIES_BANDS, 1, 5, "Malacates Trébol Shop", 8L),
            raw(Topics.TALLIES_BANDS, 0, 12, "Alux Nahual", 3L));

    HashWrites bands = byKey(plan(batch)).get(RedisKeys.BAND_TOTALS);

    assertThat(bands.guardKey()).isEqualTo("quetzal:guard:tally:bands");
    assertThat(bands.streamField()).isNull();
    assertThat(bands.fields())
        .containsExactly(
            new FieldWrite("Alux Nahual", 12, "3"), new FieldWrite("Malacates Trébol Shop", 5, "8"));
  }

  @Test
  void theHighestOffsetWinsEvenWhenRecordsArriveOutOfOrder() throws Exception {
    // A held batch merged with a later poll, or any reordering: the offset decides, not the position.
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(raw(Topics.TALLIES_BANDS, 0, 9, "Alux Nahual", 9L), raw(Topics.TALLIES_BANDS, 0, 3, "Alux Nahual", 3L));

    assertThat(byKey(plan(batch)).get(RedisKeys.BAND_TOTALS).fields())
        .containsExactly(new FieldWrite("Alux Nahual", 9, "9"));
  }

  @Test
  void aTombstoneIsADeleteWithAVersionAndALaterValueReplacesIt() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
    batch.add(raw(Topics.TALLIES_BANDS, 0, 0, "Viernes Verde", 5L));
    batch.add(raw(Topics.TALLIES_BANDS, 0, 1, "Viernes Verde", null));
    batch.add(raw(Topics.TALLIES_BANDS, 0, 2, "Ricardo Arjona", null));
    batch.add(raw(Topics.TALLIES_BANDS, 0, 3, "Ricardo Arjona", 9L));

    Map<String, FieldWrite> bands = fields(byKey(plan(batch)).get(RedisKeys.BAND_TOTALS));

    assertThat(bands.get("Viernes Verde")).isEqualTo(new FieldWrite("Viernes Verde", 1, null));
    assertThat(bands.get("Ricardo Arjona")).isEqualTo(new FieldWrite("Ricardo Arjona", 3, "9"));
  }

  @Test
  void anAlbumFeedsTheTotalsPieAndTheStatisticsWithTheSameLabelAndVersion() throws Exception {
    AlbumKey key = new AlbumKey("Malacates Trébol Shop", "Niño Dios");
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(raw(Topics.TALLIES_ALBUMS, 2, 40, key, new AlbumTally("Malacates Trébol Shop", "Niño Dios", 3, 250, 50, 100)));

    Map<String, HashWrites> writes = byKey(plan(batch));

    assertThat(writes.get(RedisKeys.ALBUM_TOTALS).fields())
        .containsExactly(new FieldWrite("Malacates Trébol Shop — Niño Dios", 40, "3"));
    FieldWrite stats = writes.get(RedisKeys.ALBUM_STATS).fields().get(0);
    assertThat(stats.field()).isEqualTo("Malacates Trébol Shop — Niño Dios");
    assertThat(stats.version()).isEqualTo(40);
    JsonNode json = Json.MAPPER.readTree(stats.value());
    assertThat(json.get("band").asText()).isEqualTo("Malacates Trébol Shop");
    assertThat(json.get("album").asText()).isEqualTo("Niño Dios");
    assertThat(json.get("count").asLong()).isEqualTo(3);
    assertThat(json.get("rankSum").asLong()).isEqualTo(250);
    assertThat(json.get("rankMin").asInt()).isEqualTo(50);
    assertThat(json.get("rankMax").asInt()).isEqualTo(100);
    assertThat(json.get("rankAverage").asDouble()).isEqualTo(250.0 / 3);
    assertThat(writes.get(RedisKeys.ALBUM_STATS).guardKey()).isEqualTo("quetzal:guard:tally:album-stats");
  }

  @Test
  void anAlbumTombstoneDeletesBothFields() throws Exception {
    AlbumKey key = new AlbumKey("Alux Nahual", "Alux Nahual");
    Map<String, HashWrites> writes = byKey(plan(List.of(raw(Topics.TALLIES_ALBUMS, 0, 7, key, null))));

    assertThat(writes.get(RedisKeys.ALBUM_TOTALS).fields()).containsExactly(new FieldWrite(key.label(), 7, null));
    assertThat(writes.get(RedisKeys.ALBUM_STATS).fields()).containsExactly(new FieldWrite(key.label(), 7, null));
  }

  @Test
  void aMinuteGoesToItsBandsTimelineHashAndNamesTheBandForTheStream() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(
            raw(Topics.TALLIES_BANDS_PER_MINUTE, 1, 3, new BandMinute("Alux Nahual", MINUTE), 4L),
            raw(Topics.TALLIES_BANDS_PER_MINUTE, 2, 8, new BandMinute("Alux Nahual", MINUTE + 60_000), 1L),
            raw(Topics.TALLIES_BANDS_PER_MINUTE, 1, 4, new BandMinute("Alux Nahual", MINUTE), 5L));

    HashWrites timeline = byKey(plan(batch)).get("quetzal:timeline:band:Alux Nahual");

    assertThat(timeline.guardKey()).as("every band's timeline shares one guard").isEqualTo("quetzal:guard:timeline:bands");
    assertThat(timeline.guardPrefix()).isEqualTo("Alux Nahual|");
    assertThat(timeline.streamField()).isEqualTo("Alux Nahual");
    assertThat(timeline.fields())
        .containsExactly(
            new FieldWrite("1767225600000", 4, "5"), new FieldWrite("1767225660000", 8, "1"));
  }

  @Test
  void statsAreMirroredButNeverTheSinksOwnUpdatedAt() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(
            raw(Topics.TALLIES_STATS, 0, 1, "accepted", 10L),
            raw(Topics.TALLIES_STATS, 0, 2, "rejected.late", 2L),
            raw(Topics.TALLIES_STATS, 0, 3, RedisKeys.STAT_UPDATED_AT, 1L));

    assertThat(byKey(plan(batch)).get(RedisKeys.STATS).fields())
        .containsExactly(new FieldWrite("accepted", 1, "10"), new FieldWrite("rejected.late", 2, "2"));
    assertThat(skipped()).isEqualTo(1);
  }

  @Test
  void unreadableOrKeylessRecordsAreSkippedAndCounted() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(
            // A Long is 8 bytes: 3 bytes cannot be a total.
            new ConsumerRecord<>(Topics.TALLIES_BANDS.name(), 0, 0, "Alux Nahual".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}),
            new ConsumerRecord<>(Topics.TALLIES_ALBUMS.name(), 0, 0, "{not json".getBytes(StandardCharsets.UTF_8), null),
            // Not on a minute boundary: BandMinute refuses it.
            new ConsumerRecord<>(
                Topics.TALLIES_BANDS_PER_MINUTE.name(), 0, 0,
                "{\"band\":\"X\",\"minuteStart\":123}".getBytes(StandardCharsets.UTF_8),
                Topics.TALLIES_BANDS_PER_MINUTE.valueSerde().serializer().serialize("t", 1L)),
            raw(Topics.TALLIES_BANDS, 0, 1, null, 4L),
            raw(Topics.TALLIES_BANDS, 0, 2, "Extravaganza", 2L));

    RedisTallySink.Plan plan = plan(batch);

    assertThat(plan.writes()).hasSize(1);
    assertThat(plan.writes().get(0).fields()).containsExactly(new FieldWrite("Extravaganza", 2, "2"));
    assertThat(skipped()).isEqualTo(4);
  }

  @Test
  void aMinuteThatCouldNeverBeAStreamEntryIsSkipped() throws Exception {
    // Epoch 0 would be stream ID 0-0, which XADD refuses: written, it would fail the batch forever.
    RedisTallySink.Plan plan =
        plan(List.of(raw(Topics.TALLIES_BANDS_PER_MINUTE, 0, 0, new BandMinute("Alux Nahual", 0), 1L)));

    assertThat(plan.isEmpty()).isTrue();
    assertThat(skipped()).isEqualTo(1);
  }

  @Test
  void anEmptyPollPlansNothing() throws Exception {
    assertThat(plan(List.of()).isEmpty()).isTrue();
  }

  @Test
  void changeNoteCountsWhatTheBatchCarried() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(
            raw(Topics.TALLIES_BANDS, 0, 1, "Alux Nahual", 3L),
            raw(Topics.TALLIES_BANDS, 1, 1, "Viernes Verde", 2L),
            raw(Topics.TALLIES_BANDS_PER_MINUTE, 0, 1, new BandMinute("Alux Nahual", MINUTE), 3L),
            raw(Topics.TALLIES_BANDS_PER_MINUTE, 0, 2, new BandMinute("Viernes Verde", MINUTE), 2L),
            raw(Topics.TALLIES_STATS, 0, 5, "accepted", 5L));

    JsonNode note = Json.MAPPER.readTree(plan(batch).changeNote(1_700_000_000_123L));

    assertThat(note.get("kind").asText()).isEqualTo("tallies");
    assertThat(note.get("bands").asInt()).isEqualTo(2);
    assertThat(note.get("albums").asInt()).isZero();
    assertThat(note.get("minutes").asInt()).isEqualTo(2);
    assertThat(note.get("stats").asInt()).isEqualTo(1);
    assertThat(note.get("updatedAt").asLong()).isEqualTo(1_700_000_000_123L);
  }
}
