package gt.quetzal.bench.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Exact latency samples, recorded without contention: each recording thread appends to its own
 * array, and the arrays are merged once, after the run. A 15 s window at a few hundred thousand
 * samples a second is a few tens of MB, which is cheaper than being approximate.
 */
final class Latencies {

  private static final int MAX_SAMPLES_PER_THREAD = 50_000_000;

  private final List<Samples> all = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Samples> mine =
      ThreadLocal.withInitial(
          () -> {
            Samples samples = new Samples();
            all.add(samples);
            return samples;
          });

  private static final class Samples {
    long[] values = new long[1 << 16];
    int size;

    void add(long value) {
      if (size == values.length) {
        if (size >= MAX_SAMPLES_PER_THREAD) {
          return; // enough for any percentile; stop growing
        }
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }
  }

  void record(long nanos) {
    mine.get().add(nanos);
  }

  /** Sorted copy of every sample; call after recording has stopped. */
  long[] sorted() {
    int total = all.stream().mapToInt(s -> s.size).sum();
    long[] merged = new long[total];
    int at = 0;
    for (Samples s : all) {
      System.arraycopy(s.values, 0, merged, at, s.size);
      at += s.size;
    }
    Arrays.sort(merged);
    return merged;
  }

  /** The value at quantile {@code q} (nearest rank), or NaN when there are no samples. */
  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
