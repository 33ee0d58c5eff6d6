package gt.quetzal.contract;

import java.util.Objects;

/**
 * Key of {@code tallies.bands-per-minute}: one band in one 1-minute tumbling window.
 *
 * @param minuteStart epoch millis of the window start (a multiple of 60 000)
 */
public record BandMinute(String band, long minuteStart) {

  public BandMinute {
    Objects.requireNonNull(band, "band");
    if (minuteStart % 60_000 != 0) {
      throw new IllegalArgumentException("minuteStart must be on a minute boundary: " + minuteStart);
    }
  }
}
