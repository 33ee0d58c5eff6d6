package gt.quetzal.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /api/standings}: bands by total, highest first (ties by name, so the order is
 * stable between refreshes), the grand total, and each band's share of it.
 */
public record Standings(List<Band> bands, long total, Long updatedAt) {

  /** @param share fraction of all votes, 0..1 (0 when there are no votes yet) */
  public record Band(String name, long total, double share) {}

  static final Comparator<Map.Entry<String, Long>> HIGHEST_FIRST =
      Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey());

  public static Standings of(StandingsReader.Snapshot snapshot) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(snapshot.totals().entrySet());
    entries.sort(HIGHEST_FIRST);
    long total = 0;
    for (Map.Entry<String, Long> entry : entries) {
      total += entry.getValue();
    }
    List<Band> bands = new ArrayList<>(entries.size());
    for (Map.Entry<String, Long> entry : entries) {
      double share = total == 0 ? 0.0 : (double) entry.getValue() / total;
      bands.add(new Band(entry.getKey(), entry.getValue(), share));
    }
    return new Standings(List.copyOf(bands), total, snapshot.updatedAt());
  }
}
