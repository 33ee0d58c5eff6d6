package gt.quetzal.web;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * "Votes per second now": the growth of the accepted counter over the last {@link #WINDOW_MS}.
 *
 * <p>The counter is sampled whenever the app reads it (after every change note, and on
 * {@code /api/stats}). Between samples it is a step function, and because every change is announced,
 * no new sample means no new votes: the rate decays to 0 by itself once the window passes, without
 * reading Redis again. A counter that goes down (a reset mirror) restarts the measurement.
 */
public final class VoteRate {

  static final long WINDOW_MS = 10_000;
  /** Below this much history the rate is too noisy to show. */
  static final long MIN_SPAN_MS = 1_000;

  private record Sample(long at, long accepted) {}

  private final Deque<Sample> samples = new ArrayDeque<>();

  public synchronized void record(long now, long accepted) {
    Sample last = samples.peekLast();
    if (last != null && (accepted < last.accepted() || now < last.at())) {
      samples.clear();
    } else if (last != null && accepted == last.accepted()) {
      return; // a step function: an unchanged value adds nothing, and many readers cannot grow the deque
    }
    samples.addLast(new Sample(now, accepted));
    // Keep exactly one sample at or before the window start: it is the counter's value there.
    while (samples.size() > 1 && secondOldest().at() <= now - WINDOW_MS) {
      samples.removeFirst();
    }
  }

  /** Votes per second over the last window ending at {@code now}, rounded to 0.1. */
  public synchronized double perSecond(long now) {
    Sample newest = samples.peekLast();
    Sample oldest = samples.peekFirst();
    if (newest == null) {
      return 0;
    }
    long windowStart = now - WINDOW_MS;
    long since;
    long base;
    if (oldest.at() <= windowStart) {
      // The counter's value at the window start is the last sample at or before it.
      Sample atStart = oldest;
      for (Sample sample : samples) {
        if (sample.at() <= windowStart) {
          atStart = sample;
        }
      }
      since = windowStart;
      base = atStart.accepted();
    } else {
      since = oldest.at();
      base = oldest.accepted();
    }
    long span = now - since;
    if (span < MIN_SPAN_MS || newest.accepted() <= base) {
      return 0;
    }
    double rate = (newest.accepted() - base) * 1000.0 / span;
    return Math.round(rate * 10) / 10.0;
  }

  private Sample secondOldest() {
    var it = samples.iterator();
    it.next();
    return it.next();
  }
}
