package gt.quetzal.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of samples (no interpolation: every answer is a measured value). */
public final class Percentiles {

  private final long[] sorted;

  public Percentiles(long[] samples) {
    if (samples.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    this.sorted = samples.clone();
    Arrays.sort(sorted);
  }

  /** The smallest sample with at least {@code p} percent of the samples at or below it. */
  public long at(double p) {
    if (p <= 0 || p > 100) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  public long max() {
    return sorted[sorted.length - 1];
  }

  public int count() {
    return sorted.length;
  }
}
