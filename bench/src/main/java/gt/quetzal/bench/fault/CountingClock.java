package gt.quetzal.bench.fault;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that counts its reads in milliseconds: ingest's validator reads {@link #millis()} once per vote to
 * stamp its {@code receivedAt}, so the count shows fault 8's skewed ingest really took votes.
 */
final class CountingClock extends Clock {

  private final Clock clock;
  private final AtomicLong reads;

  CountingClock(Clock clock) {
    this(clock, new AtomicLong());
  }

  private CountingClock(Clock clock, AtomicLong reads) {
    this.clock = clock;
    this.reads = reads;
  }

  long reads() {
    return reads.get();
  }

  @Override
  public long millis() {
    reads.incrementAndGet();
    return clock.millis();
  }

  @Override
  public Instant instant() {
    return clock.instant();
  }

  @Override
  public ZoneId getZone() {
    return clock.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new CountingClock(clock.withZone(zone), reads);
  }
}
