package gt.quetzal.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /api/standings}: bands by total, highest first (ties by name, so the order is
 * stable between refreshes), the grand total, each band's share of it, and each band's albums (most
 * voted first) with their average rank.
 */
public record Standings(List<Band> bands, long total, Long updatedAt) {

  /** @param share fraction of all votes, 0..1 (0 when there are no votes yet) */
  public record Band(String name, long total, double share, List<Album> albums) {}

  /** An album as the page shows it under its band; the band is implied by the enclosing {@link Band}. */
  public record Album(String album, long count, double rankAverage, int rankMin, int rankMax) {
    static Album of(AlbumStat stat) {
      return new Album(stat.album(), stat.count(), stat.rankAverage(), stat.rankMin(), stat.rankMax());
    }
  }

  static final Comparator<Map.Entry<String, Long>> HIGHEST_FIRST =
      Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey());

  static final Comparator<AlbumStat> MOST_VOTED_FIRST =
      Comparator.comparingLong(AlbumStat::count).reversed().thenComparing(AlbumStat::album);

  public static Standings of(StandingsReader.Snapshot snapshot) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(snapshot.totals().entrySet());
    entries.sort(HIGHEST_FIRST);
    long total = 0;
    for (Map.Entry<String, Long> entry : entries) {
      total += entry.getValue();
    }
    Map<String, List<AlbumStat>> albumsByBand = new HashMap<>();
    for (AlbumStat album : snapshot.albums()) {
      albumsByBand.computeIfAbsent(album.band(), band -> new ArrayList<>()).add(album);
    }
    List<Band> bands = new ArrayList<>(entries.size());
    for (Map.Entry<String, Long> entry : entries) {
      double share = total == 0 ? 0.0 : (double) entry.getValue() / total;
      bands.add(new Band(entry.getKey(), entry.getValue(), share, albumsOf(albumsByBand.get(entry.getKey()))));
    }
    return new Standings(List.copyOf(bands), total, snapshot.updatedAt());
  }

  /** One band's albums, most voted first; empty when the band is unknown. */
  static List<Album> albumsOf(List<AlbumStat> stats) {
    if (stats == null) {
      return List.of();
    }
    return stats.stream().sorted(MOST_VOTED_FIRST).map(Album::of).toList();
  }
}
