package gt.quetzal.load.recount;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Stats;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ComparisonTest {

  private static final long MINUTE = 1_767_225_600_000L;

  /** Two bands over two minutes, two rejections and one duplicate. */
  private static Aggregates.Builder log() {
    return new Aggregates.Builder()
        .accepted("Alux Nahual", "Alux Nahual", 90, MINUTE + 1_000)
        .accepted("Alux Nahual", "Hermano Pan", 70, MINUTE + 61_000)
        .accepted("Bohemia Suburbana", "Fuera de lugar", 100, MINUTE + 59_999)
        .rejected("invalid")
        .rejected("late")
        .count(Stats.DUPLICATES, 1);
  }

  /** Redis as the sinks would have written {@code aggregates}, catalog zeros included. */
  private static RedisView served(Aggregates aggregates) {
    TreeMap<String, Long> bands = new TreeMap<>(aggregates.bands());
    bands.put("Malacates Trébol Shop", 0L); // seeded by the catalog, never voted
    TreeMap<String, Long> albumTotals = new TreeMap<>();
    aggregates.albums().forEach((label, t) -> albumTotals.put(label, t.count()));
    SortedMap<Long, SortedMap<String, Long>> stream = RedisView.impliedStream(aggregates.minutes(), 1_440);
    return new RedisView(
        new Aggregates(bands, aggregates.albums(), aggregates.minutes(), aggregates.stats()), albumTotals, stream);
  }

  @Test
  void whatTheSinksWroteAgreesOnEveryLine() {
    Aggregates recount = log().build();
    List<Comparison.Line> lines = Comparison.compare(recount, served(recount), true);
    assertThat(lines).extracting(Comparison.Line::aggregate)
        .containsExactly(Comparison.Aggregate.BANDS, Comparison.Aggregate.ALBUMS, Comparison.Aggregate.ALBUM_RANKS, Comparison.Aggregate.MINUTES,
            Comparison.Aggregate.STREAM, Comparison.Aggregate.STATS);
    assertThat(lines).allSatisfy(line -> assertThat(line.differences()).isEmpty());
    assertThat(lines.get(0).keys()).isEqualTo(3); // the seeded zero is compared, and is no difference
    assertThat(lines.get(4).keys()).isEqualTo(3); // two minutes: Alux and Bohemia, then Alux
  }

  @Test
  void aLostVoteAndADoubledVoteInOneBandCancelInTheBandTotalButNotInTheAlbumsOrMinutes() {
    Aggregates recount = log().build();
    // Redis lost the vote for "Alux Nahual" and counted the one for "Hermano Pan" twice.
    Aggregates wrong = new Aggregates.Builder()
        .accepted("Alux Nahual", "Hermano Pan", 70, MINUTE + 61_000)
        .accepted("Alux Nahual", "Hermano Pan", 70, MINUTE + 61_000)
        .accepted("Bohemia Suburbana", "Fuera de lugar", 100, MINUTE + 59_999)
        .rejected("invalid")
        .rejected("late")
        .count(Stats.DUPLICATES, 1)
        .build();
    Map<Comparison.Aggregate, Comparison.Line> lines = byAggregate(Comparison.compare(recount, served(wrong), true));

    assertThat(lines.get(Comparison.Aggregate.BANDS).agrees()).isTrue();
    assertThat(lines.get(Comparison.Aggregate.STATS).agrees()).isTrue();
    assertThat(lines.get(Comparison.Aggregate.ALBUMS).differences())
        .extracting(Object::toString)
        .containsExactly(
            "Alux Nahual — Alux Nahual: recount 1, redis none", "Alux Nahual — Hermano Pan: recount 1, redis 2");
    assertThat(lines.get(Comparison.Aggregate.ALBUM_RANKS).differences()).hasSize(2);
    assertThat(lines.get(Comparison.Aggregate.MINUTES).differences())
        .extracting(Object::toString)
        .containsExactly(
            "Alux Nahual @ 2026-01-01T00:00:00Z: recount 1, redis none",
            "Alux Nahual @ 2026-01-01T00:01:00Z: recount 1, redis 2");
    assertThat(lines.get(Comparison.Aggregate.STREAM).agrees()).isFalse();
  }

  @Test
  void mongoDbIsNotAskedForDuplicatesButEveryOtherStatCounts() {
    Aggregates fromMongo = new Aggregates.Builder()
        .accepted("Alux Nahual", "Alux Nahual", 90, MINUTE + 1_000)
        .accepted("Alux Nahual", "Hermano Pan", 70, MINUTE + 61_000)
        .accepted("Bohemia Suburbana", "Fuera de lugar", 100, MINUTE + 59_999)
        .rejected("invalid")
        .build(); // lost the "late" rejection, and knows nothing of duplicates
    Comparison.Line stats = byAggregate(Comparison.compare(fromMongo, served(log().build()), false)).get(Comparison.Aggregate.STATS);
    assertThat(stats.differences())
        .extracting(Object::toString)
        .containsExactly("rejected: recount 1, redis 2", "rejected.late: recount none, redis 1");
  }

  @Test
  void aTrimmedStreamIsComparedWithTheNewestMinutesOnly() {
    Aggregates recount = log().build();
    RedisView full = served(recount);
    SortedMap<Long, SortedMap<String, Long>> newest = new TreeMap<>(full.stream().tailMap(MINUTE + 60_000));
    RedisView trimmed = new RedisView(full.hashes(), full.albumTotals(), newest);
    assertThat(byAggregate(Comparison.compare(recount, trimmed, true)).get(Comparison.Aggregate.STREAM).agrees()).isTrue();

    SortedMap<Long, SortedMap<String, Long>> gap = new TreeMap<>(full.stream().headMap(MINUTE + 60_000));
    RedisView oldest = new RedisView(full.hashes(), full.albumTotals(), gap);
    assertThat(byAggregate(Comparison.compare(recount, oldest, true)).get(Comparison.Aggregate.STREAM).agrees()).isFalse();
  }

  @Test
  void theReportNamesTheFirstDifferencesAndSaysDiffer() {
    Aggregates recount = log().build();
    RedisView served = served(recount);
    TreeMap<String, Long> bands = new TreeMap<>(served.hashes().bands());
    bands.put("Alux Nahual", 3L);
    RedisView altered = new RedisView(
        new Aggregates(bands, served.hashes().albums(), served.hashes().minutes(), served.hashes().stats()),
        served.albumTotals(), served.stream());
    Recount.Verdict verdict = new Recount.Verdict(
        Comparison.compare(recount, altered, true), Comparison.compare(recount, served, false), List.of(), recount);
    String report = RecountReport.render(verdict);
    assertThat(verdict.agrees()).isFalse();
    assertThat(report)
        .contains("band totals        DIFFER (1 of 3)")
        .contains("kafka, band totals: Alux Nahual: recount 2, redis 3")
        .contains("vote log: 3 accepted, 2 rejected, 1 duplicates")
        .endsWith("DIFFER: see the lines above\n");

    Recount.Verdict same = new Recount.Verdict(
        Comparison.compare(recount, served, true), Comparison.compare(recount, served, false), List.of(), recount);
    assertThat(RecountReport.render(same)).endsWith("AGREE: Kafka, MongoDB and Redis hold the same result\n");
    Recount.Verdict partial = new Recount.Verdict(same.kafka(), same.mongo(), List.of("votes.accepted-0 starts at offset 7"), recount);
    assertThat(partial.agrees()).isFalse();
  }

  private static Map<Comparison.Aggregate, Comparison.Line> byAggregate(List<Comparison.Line> lines) {
    Map<Comparison.Aggregate, Comparison.Line> map = new TreeMap<>();
    lines.forEach(line -> map.put(line.aggregate(), line));
    return map;
  }
}
