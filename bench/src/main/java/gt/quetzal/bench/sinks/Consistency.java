package gt.quetzal.bench.sinks;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/** When each store first matched N, measured from the start of a phase. */
record Consistency(double redisSeconds, double mongoSeconds) {

  double seconds() {
    return Math.max(redisSeconds, mongoSeconds);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Redis after %.1f s, MongoDB after %.1f s", redisSeconds, mongoSeconds);
  }

  /**
   * Reads both stores every 50 ms from {@code start} (a {@link System#nanoTime}) until each holds {@code n}
   * (a Redis sum below 0 means its writer failed), printing progress every 15 s.
   */
  static Consistency await(
      long n, LongSupplier redisSum, LongSupplier mongoCount, long start, int timeoutSeconds) {
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    double redisAt = -1;
    double mongoAt = -1;
    long lastPrint = System.nanoTime();
    while (redisAt < 0 || mongoAt < 0) {
      long r = redisAt < 0 ? redisSum.getAsLong() : n;
      long m = mongoAt < 0 ? mongoCount.getAsLong() : n;
      long now = System.nanoTime();
      if (r < 0) {
        throw new IllegalStateException("writer failed");
      }
      if (redisAt < 0 && r >= n) {
        redisAt = (now - start) / 1e9;
      }
      if (mongoAt < 0 && m >= n) {
        mongoAt = (now - start) / 1e9;
      }
      if (now > deadline) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "not consistent after %d s: Redis sum %d, MongoDB count %d of %d", timeoutSeconds, r, m, n));
      }
      if (now - lastPrint > TimeUnit.SECONDS.toNanos(15)) {
        System.out.printf(Locale.ROOT, "  ... %.0f s: Redis %,d, MongoDB %,d of %,d%n", (now - start) / 1e9, r, m, n);
        lastPrint = now;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    return new Consistency(redisAt, mongoAt);
  }
}
