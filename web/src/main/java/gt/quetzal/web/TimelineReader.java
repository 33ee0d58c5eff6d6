package gt.quetzal.web;

import java.util.List;
import java.util.Map;

/** Reads per-minute vote counts (Redis in production). Any exception means "the store cannot answer now". */
public interface TimelineReader {

  /**
   * Votes per minute for one band over {@code minuteStarts} (epoch millis on minute boundaries).
   *
   * @return minute start → count, for every requested minute (0 where nothing was counted)
   */
  Map<Long, Long> band(String band, List<Long> minuteStarts);

  /** The same for every band that has a total: band → (minute start → count). */
  Map<String, Map<Long, Long>> allBands(List<Long> minuteStarts);
}
