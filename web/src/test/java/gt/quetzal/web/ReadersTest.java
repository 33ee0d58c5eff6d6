package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.VoteEvent;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** The readers' parsing of what the sinks stored, without a store. */
class ReadersTest {

  @Test
  void redisTotalsSkipNonNumericFields() {
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put("Alux Nahual", "12");
    raw.put("Broken", "twelve");
    raw.put("Malacates Trébol Shop", "7");
    assertThat(RedisStandingsReader.parseTotals(raw))
        .containsExactly(Map.entry("Alux Nahual", 12L), Map.entry("Malacates Trébol Shop", 7L));
  }

  @Test
  void albumStatisticsComeFromTheirJsonNotTheFieldName() {
    Map<String, String> raw = new LinkedHashMap<>();
    // A band whose name contains the " — " separator: only the JSON can say where it ends.
    raw.put(
        "Sig — Ragga — Trópico",
        "{\"band\":\"Sig — Ragga\",\"album\":\"Trópico\",\"count\":4,\"rankSum\":300,\"rankMin\":50,\"rankMax\":90,\"rankAverage\":75.0}");
    raw.put("Old — Writer", "{\"band\":\"Old\",\"album\":\"Writer\",\"count\":2,\"rankSum\":101,\"rankMin\":1,\"rankMax\":100}");
    raw.put("Broken — JSON", "{not json");
    raw.put("Missing — Count", "{\"band\":\"Missing\",\"album\":\"Count\"}");
    assertThat(RedisStandingsReader.parseAlbums(raw))
        .containsExactly(
            new AlbumStat("Sig — Ragga", "Trópico", 4, 75.0, 50, 90),
            new AlbumStat("Old", "Writer", 2, 50.5, 1, 100)); // average from rankSum when absent
  }

  @Test
  void timelineCountsAreZeroWhereAMinuteHasNoField() {
    assertThat(RedisTimelineReader.counts(List.of(0L, 60_000L, 120_000L), Arrays.asList("3", null, "x")))
        .containsExactly(Map.entry(0L, 3L), Map.entry(60_000L, 0L), Map.entry(120_000L, 0L));
  }

  @Test
  void mongoDocumentBecomesTheVoteItWasWrittenFrom() {
    Document doc =
        new Document("_id", "v-1")
            .append("name", "Malacates Trébol Shop")
            .append("album", "Niño Dios")
            .append("year", 2004)
            .append("rank", 87)
            .append("channel", "grpc")
            .append("receivedAt", new Date(1_700_000_000_123L));
    assertThat(MongoVoteLogReader.toVote(doc))
        .isEqualTo(
            new VoteEvent("v-1", "Malacates Trébol Shop", "Niño Dios", 2004, 87, null, "grpc", 1_700_000_000_123L));
  }

  @Test
  void aMalformedMongoDocumentIsSkipped() {
    assertThat(MongoVoteLogReader.toVote(new Document("_id", "v-2").append("name", "x"))).isNull();
    assertThat(MongoVoteLogReader.toRejected(new Document("_id", "0-1"))).isNull();
  }

  @Test
  void rejectedDocumentKeepsItsReasonDetailAndRaw() {
    Document doc =
        new Document("_id", "2-17")
            .append("reason", "unknown_band")
            .append("detail", "name: \"X\" is not a band of the contest catalog")
            .append("raw", "{\"name\":\"X\"}")
            .append("rejectedAt", new Date(1_700_000_000_000L));
    assertThat(MongoVoteLogReader.toRejected(doc))
        .isEqualTo(
            new RejectedEntry(
                "2-17", null, "unknown_band", "name: \"X\" is not a band of the contest catalog", "{\"name\":\"X\"}",
                1_700_000_000_000L));
  }

  @Test
  void cursorsRoundTripAndIdsMayContainCommas() {
    LogCursor cursor = LogCursor.parse("1700000000000,a,b");
    assertThat(cursor).isEqualTo(new LogCursor(1_700_000_000_000L, "a,b"));
    assertThat(LogCursor.parse(cursor.toString())).isEqualTo(cursor);
    for (String bad : List.of("", ",", "1,", ",x", "x,1", "-1,x", "1234567890123456,x", "1," + "x".repeat(201))) {
      assertThatThrownBy(() -> LogCursor.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void statsPreferTheCountersAndFallBackToSums() {
    StandingsReader.Snapshot full =
        new StandingsReader.Snapshot(
            Map.of("A", 5L), List.of(), Map.of("accepted", 9L, "rejected", 4L, "rejected.late", 3L, "duplicates", 1L), 7L);
    ContestStats stats = ContestStats.of(full, 2.5);
    assertThat(stats.accepted()).isEqualTo(9);
    assertThat(stats.rejected()).isEqualTo(4);
    assertThat(stats.duplicates()).isEqualTo(1);
    assertThat(stats.rejectedByReason()).containsExactly(Map.entry("late", 3L));
    assertThat(stats.votesPerSecond()).isEqualTo(2.5);

    StandingsReader.Snapshot partial =
        new StandingsReader.Snapshot(
            Map.of("A", 5L, "B", 6L), List.of(), Map.of("rejected.late", 3L, "rejected.invalid", 2L), null);
    ContestStats fallback = ContestStats.of(partial, 0);
    assertThat(fallback.accepted()).isEqualTo(11);
    assertThat(fallback.rejected()).isEqualTo(5);
    assertThat(fallback.rejectedByReason()).containsExactly(Map.entry("invalid", 2L), Map.entry("late", 3L));
  }
}
