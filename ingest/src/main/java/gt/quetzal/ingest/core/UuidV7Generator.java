package gt.quetzal.ingest.core;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Time-ordered UUIDs, version 7 (RFC 9562 §5.7), so generated vote ids sort by arrival and keep
 * Kafka keys and MongoDB {@code _id}s roughly append-only.
 *
 * <p>Layout: 48 bits of Unix epoch milliseconds, the version nibble {@code 0111}, a 12-bit counter
 * ({@code rand_a}, RFC 9562 §6.2 method 1), the variant bits {@code 10}, then 62 random bits.
 *
 * <p>Ids from one generator are strictly increasing, even when many are made in the same
 * millisecond or the clock steps backwards: the (millisecond, counter) pair is one 60-bit value
 * advanced with a CAS, and when the counter runs out the timestamp simply moves ahead by one.
 * Each new millisecond starts the counter at a random value below 2^11, which keeps at least 2048
 * ids per millisecond before that happens and makes equal prefixes across instances unlikely.
 */
public final class UuidV7Generator {

  private static final int COUNTER_BITS = 12;
  private static final long TIMESTAMP_MASK = (1L << 48) - 1;

  private final Clock clock;
  private final RandomGenerator random;
  /** The last issued (timestamp << 12 | counter). */
  private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);

  /**
   * Production: the given clock and {@link SecureRandom} bits, so ids are not predictable (a
   * predictable id would let someone pre-empt another voter's vote, since duplicates are dropped).
   * Each thread draws from its own SecureRandom, {@link BufferedSecureRandom#BUFFER_BYTES} bytes at a
   * time: one shared instance serialises every request thread on its internal lock, and each call
   * costs the same whether it asks for 8 bytes or 512.
   */
  public UuidV7Generator(Clock clock) {
    this(clock, new PerThreadSecureRandom());
  }

  /** Thread-confined {@link BufferedSecureRandom}s behind one {@link RandomGenerator}. */
  static final class PerThreadSecureRandom implements RandomGenerator {
    private final ThreadLocal<BufferedSecureRandom> local =
        ThreadLocal.withInitial(() -> new BufferedSecureRandom(new SecureRandom()));

    @Override
    public long nextLong() {
      return local.get().nextLong();
    }
  }

  /**
   * A {@link SecureRandom}'s output read ahead into a buffer and handed out 8 bytes at a time, in
   * order: the same bits as calling {@code nextBytes} per id, for one call per {@link #BUFFER_BYTES}.
   * Not thread-safe: one per thread.
   */
  static final class BufferedSecureRandom implements RandomGenerator {
    static final int BUFFER_BYTES = 512;
    private final SecureRandom source;
    private final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(BUFFER_BYTES).position(BUFFER_BYTES);

    BufferedSecureRandom(SecureRandom source) {
      this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public long nextLong() {
      if (!buffer.hasRemaining()) {
        source.nextBytes(buffer.array());
        buffer.clear();
      }
      return buffer.getLong();
    }
  }

  public UuidV7Generator(Clock clock, RandomGenerator random) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  public UUID next() {
    long tick = nextTick();
    long timestamp = (tick >>> COUNTER_BITS) & TIMESTAMP_MASK;
    long counter = tick & ((1L << COUNTER_BITS) - 1);
    long msb = (timestamp << 16) | (0x7L << 12) | counter;
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  /** The canonical lower-case 36-character form; it matches the voteId charset. */
  public String nextString() {
    return next().toString();
  }

  private long nextTick() {
    long fresh = (clock.millis() & TIMESTAMP_MASK) << COUNTER_BITS;
    while (true) {
      long previous = last.get();
      long candidate =
          fresh > previous ? fresh | random.nextInt(1 << (COUNTER_BITS - 1)) : previous + 1;
      if (last.compareAndSet(previous, candidate)) {
        return candidate;
      }
    }
  }
}
