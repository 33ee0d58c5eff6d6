package gt.quetzal.bench.streams;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.bench.ThreadCpuTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage shares on a real recording: only stream threads count, and a stage counts wherever it sits on the stack. */
class StreamThreadProfileTest {

  private static volatile long sink;

  @Test
  void countsTheStreamThreadsSamplesByStage(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("app.jfr");
    AtomicBoolean stop = new AtomicBoolean();
    try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
      recording.start();
      Thread stream = new Thread(() -> RawVoteReader.check(stop), "app-1a2b-StreamThread-1");
      Thread other = new Thread(() -> spinElsewhere(stop), "app-1a2b-StreamThread-1-producer");
      stream.start();
      other.start();
      ThreadCpuTime.awaitAtLeast(stream, Duration.ofSeconds(1));
      stop.set(true);
      stream.join();
      other.join();
      recording.dump(file);
    }

    String report = StreamThreadProfile.report(file);

    assertThat(report).contains("profile of the stream threads");
    // Every counted sample is the stream thread's, inside RawVoteReader.check: 100% of them.
    assertThat(report).contains("100.0%      parse and validate (RawVoteReader)");
    assertThat(report).contains("  0.0%      dedup (VoteIdMemory)");
  }

  static void spinElsewhere(AtomicBoolean stop) {
    long x = 0;
    while (!stop.get()) {
      x += Long.toString(x).hashCode();
    }
    sink = x;
  }
}

/** Named as a stage's class and method (the app's is in another package), so the stage matches this frame. */
final class RawVoteReader {

  private RawVoteReader() {}

  static void check(AtomicBoolean stop) {
    StreamThreadProfileTest.spinElsewhere(stop);
  }
}
