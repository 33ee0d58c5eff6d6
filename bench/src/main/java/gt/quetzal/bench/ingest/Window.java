package gt.quetzal.bench.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * The timing of one route's run: drivers send from the start, but only completions inside the
 * measured window count, so warm-up (JIT, connection pools, producer batches) is left out.
 */
final class Window {

  private volatile long measureFrom = Long.MAX_VALUE;
  private volatile long measureUntil = Long.MAX_VALUE;
  private volatile boolean stopping;

  final Latencies latencies = new Latencies();
  final LongAdder ok = new LongAdder();
  final LongAdder failed = new LongAdder();
  private CpuMeter cpu;
  private ThreadCpu threadCpu;
  private String threadReport;
  private CpuMeter.Usage usage;
  private final Profile profile; // null: no profile
  private final String route;
  private Instant profileFrom;
  private Profile.Shares profileShares;

  Window() {
    this(null, null);
  }

  /** A window whose measured part's CPU samples are counted from {@code profile} (null: not profiled). */
  Window(Profile profile, String route) {
    this.profile = profile;
    this.route = route;
  }

  void startMeasuring() {
    profileFrom = Instant.now();
    cpu = CpuMeter.start();
    threadCpu = new ThreadCpu();
    measureFrom = System.nanoTime();
  }

  void stopMeasuring() {
    measureUntil = System.nanoTime();
    stopping = true;
    usage = cpu.stop();
    threadReport = threadCpu.top(measureUntil - measureFrom, 8);
    if (profile != null) {
      try {
        profileShares = profile.window(route, profileFrom, Instant.now());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The measured window's CPU samples; null when not profiled. */
  Profile.Shares profileShares() {
    return profileShares;
  }

  /** Cores used per thread group while measuring, busiest first. */
  String threadReport() {
    return threadReport;
  }

  /** CPU used while measuring; null before the window closed. */
  CpuMeter.Usage usage() {
    return usage;
  }

  /** Drivers stop sending new work once this is false. */
  boolean running() {
    return !stopping;
  }

  /** Records one finished request that started at {@code startNanos}. */
  void completed(long startNanos, boolean success) {
    long now = System.nanoTime();
    if (now < measureFrom || now >= measureUntil) {
      return;
    }
    if (success) {
      ok.increment();
      latencies.record(now - startNanos);
    } else {
      failed.increment();
    }
  }

  double seconds() {
    return (measureUntil - measureFrom) / 1e9;
  }
}
