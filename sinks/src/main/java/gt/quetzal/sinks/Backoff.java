package gt.quetzal.sinks;

import java.time.Duration;

/**
 * Bounded exponential backoff: initial, 2×, 4×, … capped at max. Deterministic (no jitter): the sinks
 * retry one store per loop, so there is no herd to spread, and a fixed schedule is easy to reason about.
 * Not thread-safe; each loop owns its own.
 */
public final class Backoff {

  private final long initialMillis;
  private final long maxMillis;
  private long nextMillis;
  private int attempts;

  public Backoff(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial backoff must be positive");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max backoff must be >= initial");
    }
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.nextMillis = initialMillis;
  }

  /** The delay before the next attempt; each call doubles the following one, up to the cap. */
  public Duration next() {
    long delay = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    attempts++;
    return Duration.ofMillis(delay);
  }

  /** Back to the initial delay, after a success. */
  public void reset() {
    nextMillis = initialMillis;
    attempts = 0;
  }

  /** Consecutive failures since the last reset. */
  public int attempts() {
    return attempts;
  }
}
