package gt.quetzal.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.bench.ThreadCpuTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileTest {

  private static volatile long sink;

  /** Project code that spends its time in a JDK method: the samples count towards this method. */
  private static void spin(AtomicBoolean stop) {
    long x = 0;
    while (!stop.get()) {
      x += Long.toString(x).hashCode();
    }
    sink = x;
  }

  @Test
  void samplesOfABusyThreadCountTowardsItsGroupAndItsInnermostProjectMethod(@TempDir Path dir) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Profile.Shares shares;
    Profile.Shares before;
    try (Profile profile = Profile.start(dir)) {
      Instant start = Instant.now();
      Thread busy = new Thread(() -> spin(stop), "spinner-7");
      busy.start();
      ThreadCpuTime.awaitAtLeast(busy, Duration.ofSeconds(1));
      stop.set(true);
      busy.join();
      shares = profile.window("spin", start, Instant.now());
      before = Profile.shares(dir.resolve("spin.jfr"), start.minusSeconds(60), start);
    }

    assertThat(dir.resolve("spin.jfr")).exists();
    assertThat(before.byThreadGroup()).doesNotContainKey("spinner-N"); // samples outside the window are left out
    assertThat(shares.total()).isPositive();
    assertThat(top(shares.byThreadGroup())).isEqualTo("spinner-N");
    assertThat(top(shares.byProjectMethod())).isEqualTo("ProfileTest.spin");
    assertThat(shares.byThreadGroup().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(shares.total());
    assertThat(shares.report(3)).contains("by thread group:", "spinner-N", "ProfileTest.spin");
  }

  private static String top(Map<String, Long> counts) {
    return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }
}
