package gt.quetzal.bench.ingest;

import java.time.Duration;

/** Drives one route: starts sending into a {@link Window}, and stops once the window says so. */
interface Driver {

  /** Starts sending; returns at once. */
  void start(Window window) throws Exception;

  /** Waits until all work in flight has finished after the window stopped, then frees resources. */
  void finish(Duration timeout) throws Exception;

  /** Runs a driver: warm-up, then the measured window, then drains. */
  static void run(Driver driver, Window window, Duration warmup, Duration measure) throws Exception {
    driver.start(window);
    // Two timed waits, not a polling loop: the drivers run on their own threads meanwhile.
    Thread.sleep(warmup.toMillis());
    window.startMeasuring();
    Thread.sleep(measure.toMillis());
    window.stopMeasuring();
    driver.finish(Duration.ofSeconds(30));
  }
}
