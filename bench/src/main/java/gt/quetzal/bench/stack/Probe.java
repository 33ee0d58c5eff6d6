package gt.quetzal.bench.stack;

import gt.quetzal.kit.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that only an outside look can tell (a port answering, a process ready), by
 * checking it on a scheduler thread at a fixed pace and completing a future: the caller blocks on the
 * future, bounded by a timeout, instead of spinning.
 */
public final class Probe {

  private Probe() {}

  /**
   * Returns once {@code check} is true.
   *
   * @param abort checked first on every tick: when true the wait fails at once (a child that exited)
   * @throws IllegalStateException naming {@code what} on timeout or abort
   */
  public static void await(String what, Duration timeout, Duration interval, BooleanSupplier check, BooleanSupplier abort) {
    ScheduledExecutorService scheduler = DaemonThreads.scheduler("probe");
    CompletableFuture<Void> done = new CompletableFuture<>();
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        if (abort.getAsBoolean()) {
          done.completeExceptionally(new IllegalStateException(what + ": gave up, the process exited"));
        } else if (check.getAsBoolean()) {
          done.complete(null);
        }
      } catch (RuntimeException e) {
        // Not ready yet (a refused connection, say): the next tick looks again.
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + ": not within " + timeout.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IllegalStateException ise ? ise : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting: " + what, e);
    } finally {
      scheduler.shutdownNow();
    }
  }

  public static void await(String what, Duration timeout, BooleanSupplier check) {
    await(what, timeout, Duration.ofMillis(250), check, () -> false);
  }

  /** Keeps a part down for the fault's stated outage; a deliberate wait, not a poll. */
  public static void hold(Duration outage) {
    try {
      Thread.sleep(outage.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the outage", e);
    }
  }
}
