package gt.quetzal.bench;

import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

/** For profiler tests: a busy thread has run long enough for a sampler to have seen it. */
public final class ThreadCpuTime {

  private ThreadCpuTime() {}

  /** Waits until {@code thread} has used {@code cpu} of CPU time (a loaded machine only makes this slower). */
  public static void awaitAtLeast(Thread thread, Duration cpu) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    await("CPU time of " + thread.getName())
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> threads.getThreadCpuTime(thread.getId()) >= cpu.toNanos());
  }
}
