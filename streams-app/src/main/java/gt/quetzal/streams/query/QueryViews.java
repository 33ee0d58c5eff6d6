package gt.quetzal.streams.query;

import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.Stats;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON bodies of the query endpoints. {@link StreamsHttpApp} writes them and {@link PeerClient}
 * reads them back from other instances, so one definition keeps both sides of the wire in step.
 */
final class QueryViews {

  private QueryViews() {}

  record BandTotal(String band, long total) {}

  /** {@code GET /api/standings}: every band, highest total first, ties by name. */
  record Standings(List<BandTotal> standings) {

    static Standings of(Map<String, Long> totals) {
      return new Standings(
          totals.entrySet().stream()
              .map(entry -> new BandTotal(entry.getKey(), entry.getValue()))
              .sorted(
                  Comparator.comparingLong(BandTotal::total).reversed().thenComparing(BandTotal::band))
              .toList());
    }

    Map<String, Long> totals() {
      Map<String, Long> totals = new HashMap<>();
      standings.forEach(b -> totals.put(b.band(), b.total()));
      return totals;
    }
  }

  /** One place of the leaderboard. Equal totals share a rank (1, 2, 2, 4). */
  record Place(int rank, String band, long total) {}

  /** {@code GET /api/leaderboard?n=}: the first {@code size} bands of the standings. */
  record Leaderboard(int size, List<Place> leaderboard) {

    static Leaderboard of(Standings standings, int size) {
      List<BandTotal> bands = standings.standings();
      int shown = Math.min(size, bands.size());
      Place[] places = new Place[shown];
      for (int i = 0; i < shown; i++) {
        BandTotal band = bands.get(i);
        int rank = i > 0 && bands.get(i - 1).total() == band.total() ? places[i - 1].rank() : i + 1;
        places[i] = new Place(rank, band.band(), band.total());
      }
      return new Leaderboard(size, List.of(places));
    }
  }

  record Album(
      String album, long count, long rankSum, int rankMin, int rankMax, double rankAverage) {

    static Album of(AlbumTally tally) {
      return new Album(
          tally.album(),
          tally.count(),
          tally.rankSum(),
          tally.rankMin(),
          tally.rankMax(),
          tally.rankAverage());
    }

    AlbumTally tally(String band) {
      return new AlbumTally(band, album, count, rankSum, rankMin, rankMax);
    }
  }

  /** {@code GET /api/bands/{band}/albums}: most votes first, ties by title. */
  record Albums(String band, List<Album> albums) {

    static Albums of(String band, List<AlbumTally> tallies) {
      return new Albums(
          band,
          tallies.stream()
              .map(Album::of)
              .sorted(Comparator.comparingLong(Album::count).reversed().thenComparing(Album::album))
              .toList());
    }

    List<AlbumTally> tallies() {
      return albums.stream().map(a -> a.tally(band)).toList();
    }
  }

  /** One minute: its start as epoch millis (as in {@code BandMinute}) and as ISO-8601 for people. */
  record Minute(long minuteStart, String start, long count) {}

  /** {@code GET /api/bands/{band}/timeline}: minutes with votes, oldest first. */
  record Timeline(String band, String from, String to, List<Minute> minutes) {

    static Timeline of(String band, long fromMs, long toMs, List<TallyQueries.MinuteCount> counts) {
      return new Timeline(
          band,
          Instant.ofEpochMilli(fromMs).toString(),
          Instant.ofEpochMilli(toMs).toString(),
          counts.stream()
              .sorted(Comparator.comparingLong(TallyQueries.MinuteCount::minuteStart))
              .map(
                  m ->
                      new Minute(
                          m.minuteStart(), Instant.ofEpochMilli(m.minuteStart()).toString(), m.count()))
              .toList());
    }

    List<TallyQueries.MinuteCount> counts() {
      return minutes.stream().map(m -> new TallyQueries.MinuteCount(m.minuteStart(), m.count())).toList();
    }
  }

  /**
   * {@code GET /api/stats}: the counters of {@code tallies.stats}, with {@code rejected.<reason>}
   * grouped under {@code rejectedByReason}.
   */
  record StatsView(long accepted, long duplicates, long rejected, Map<String, Long> rejectedByReason) {

    private static final String REASON_PREFIX = Stats.rejected("");

    static StatsView of(Map<String, Long> stats) {
      Map<String, Long> byReason = new TreeMap<>();
      stats.forEach(
          (key, count) -> {
            if (key.startsWith(REASON_PREFIX)) {
              byReason.put(key.substring(REASON_PREFIX.length()), count);
            }
          });
      return new StatsView(
          stats.getOrDefault(Stats.ACCEPTED, 0L),
          stats.getOrDefault(Stats.DUPLICATES, 0L),
          stats.getOrDefault(Stats.REJECTED, 0L),
          byReason);
    }

    Map<String, Long> flat() {
      Map<String, Long> stats = new HashMap<>();
      stats.put(Stats.ACCEPTED, accepted);
      stats.put(Stats.DUPLICATES, duplicates);
      stats.put(Stats.REJECTED, rejected);
      rejectedByReason.forEach((reason, count) -> stats.put(Stats.rejected(reason), count));
      return stats;
    }
  }

  /** RFC 9457 problem details. */
  record Problem(String type, String title, int status, String detail) {}
}
