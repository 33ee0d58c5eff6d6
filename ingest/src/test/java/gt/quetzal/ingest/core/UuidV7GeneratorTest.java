package gt.quetzal.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UuidV7GeneratorTest {

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    final AtomicLong millis;

    ManualClock(long start) {
      millis = new AtomicLong(start);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  private static final long T0 = Instant.parse("2026-11-26T15:00:00Z").toEpochMilli();

  private static long timestampOf(UUID id) {
    return id.getMostSignificantBits() >>> 16;
  }

  @Test
  void versionAndVariantBitsAreSet() {
    UuidV7Generator generator = new UuidV7Generator(new ManualClock(T0));
    for (int i = 0; i < 1_000; i++) {
      UUID id = generator.next();
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2); // IETF variant, bits 10
      assertThat(id.toString().charAt(14)).isEqualTo('7');
      assertThat(id.toString().charAt(19)).isIn('8', '9', 'a', 'b');
    }
  }

  @Test
  void timestampIsTheClocksEpochMillis() {
    UuidV7Generator generator = new UuidV7Generator(new ManualClock(T0));
    UUID id = generator.next();
    assertThat(timestampOf(id)).isEqualTo(T0);
    assertThat(id.toString()).startsWith(String.format("%08x-%04x", T0 >>> 16, T0 & 0xFFFF));
  }

  @Test
  void idsIncreaseStrictlyWithinOneMillisecondAsUuidsAndAsStrings() {
    UuidV7Generator generator = new UuidV7Generator(new ManualClock(T0)); // the clock never moves
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) { // more than the counter holds: the timestamp borrows ahead
      ids.add(generator.next());
    }
    for (int i = 1; i < ids.size(); i++) {
      assertThat(ids.get(i)).isGreaterThan(ids.get(i - 1));
      assertThat(ids.get(i).toString()).isGreaterThan(ids.get(i - 1).toString());
    }
    assertThat(timestampOf(ids.get(0))).isEqualTo(T0);
    assertThat(timestampOf(ids.get(ids.size() - 1))).isBetween(T0 + 1, T0 + 10);
  }

  @Test
  void idsIncreaseAcrossMillisecondsAndWhenTheClockStepsBack() {
    ManualClock clock = new ManualClock(T0);
    UuidV7Generator generator = new UuidV7Generator(clock);
    UUID first = generator.next();
    clock.millis.set(T0 + 5);
    UUID second = generator.next();
    clock.millis.set(T0 - 1_000); // NTP step backwards
    UUID third = generator.next();

    assertThat(second).isGreaterThan(first);
    assertThat(timestampOf(second)).isEqualTo(T0 + 5);
    assertThat(third).isGreaterThan(second);
    assertThat(timestampOf(third)).isEqualTo(T0 + 5);
  }

  @Test
  void randomBitsDifferBetweenIds() {
    UuidV7Generator generator = new UuidV7Generator(new ManualClock(T0), new SplittableRandom(1).split());
    Set<Long> lows = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      lows.add(generator.next().getLeastSignificantBits());
    }
    assertThat(lows).hasSize(1_000);
  }

  @Test
  void concurrentCallersGetUniqueIds() throws Exception {
    UuidV7Generator generator = new UuidV7Generator(Clock.systemUTC());
    Set<UUID> all = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tasks.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    all.add(generator.next());
                  }
                }));
      }
      for (Future<?> task : tasks) {
        task.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(all).hasSize(80_000);
  }

  @Test
  void theProductionGeneratorIsUniqueAndOrderedAcrossThreads() throws Exception {
    UuidV7Generator generator = new UuidV7Generator(Clock.systemUTC());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<UUID>>> batches = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        batches.add(
            pool.submit(
                () -> {
                  List<UUID> ids = new ArrayList<>();
                  for (int i = 0; i < 5_000; i++) {
                    ids.add(generator.next());
                  }
                  return ids;
                }));
      }
      Set<UUID> all = new HashSet<>();
      for (Future<List<UUID>> batch : batches) {
        List<UUID> ids = batch.get();
        for (int i = 1; i < ids.size(); i++) {
          assertThat(ids.get(i).compareTo(ids.get(i - 1))).isPositive(); // strictly increasing per thread
        }
        all.addAll(ids);
        assertThat(ids).allMatch(id -> id.version() == 7 && id.variant() == 2);
      }
      assertThat(all).hasSize(20_000);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theBufferedSecureRandomHandsOutItsSourcesBytesInOrderAcrossRefills() throws Exception {
    java.security.SecureRandom source = java.security.SecureRandom.getInstance("SHA1PRNG");
    source.setSeed(42L); // before the first use: SHA1PRNG is then deterministic
    java.security.SecureRandom twin = java.security.SecureRandom.getInstance("SHA1PRNG");
    twin.setSeed(42L);
    UuidV7Generator.BufferedSecureRandom buffered = new UuidV7Generator.BufferedSecureRandom(source);

    int longs = 3 * UuidV7Generator.BufferedSecureRandom.BUFFER_BYTES / Long.BYTES + 5; // three refills and a bit
    java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate(4 * UuidV7Generator.BufferedSecureRandom.BUFFER_BYTES);
    for (int chunk = 0; chunk < 4; chunk++) {
      byte[] bytes = new byte[UuidV7Generator.BufferedSecureRandom.BUFFER_BYTES];
      twin.nextBytes(bytes);
      expected.put(bytes);
    }
    expected.flip();
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < longs; i++) {
      long value = buffered.nextLong();
      assertThat(value).isEqualTo(expected.getLong());
      seen.add(value);
    }
    assertThat(seen).hasSize(longs);
  }
}
