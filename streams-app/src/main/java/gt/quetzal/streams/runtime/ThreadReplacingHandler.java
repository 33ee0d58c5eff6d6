package gt.quetzal.streams.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a stream thread that died, up to a limit, then shuts the client down.
 *
 * <p>Why replace: most thread deaths are transient (a broker bounce outlasting the retries, a fenced
 * producer). Under exactly-once the dead thread's transaction is aborted and its tasks resume from
 * the last committed offsets on the new thread, so nothing is lost or double-counted.
 *
 * <p>Why a limit: a deterministic failure (a bug tripped by one record) would kill every replacement
 * at the same record, forever, while the pod still looked alive. After {@code maxReplacements}
 * deaths within {@code window} the client is shut down instead; its state becomes ERROR, {@code
 * /healthz} turns 503, and the orchestrator restarts the process, which is visible and alertable.
 */
public final class ThreadReplacingHandler implements StreamsUncaughtExceptionHandler {

  public static final int DEFAULT_MAX_REPLACEMENTS = 5;
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(ThreadReplacingHandler.class);

  private final int maxReplacements;
  private final long windowNanos;
  private final LongSupplier nanoClock;
  private final Deque<Long> recentDeaths = new ArrayDeque<>();

  public ThreadReplacingHandler() {
    this(DEFAULT_MAX_REPLACEMENTS, DEFAULT_WINDOW, System::nanoTime);
  }

  ThreadReplacingHandler(int maxReplacements, Duration window, LongSupplier nanoClock) {
    this.maxReplacements = maxReplacements;
    this.windowNanos = window.toNanos();
    this.nanoClock = nanoClock;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    long now = nanoClock.getAsLong();
    while (!recentDeaths.isEmpty() && now - recentDeaths.peekFirst() > windowNanos) {
      recentDeaths.removeFirst();
    }
    if (recentDeaths.size() >= maxReplacements) {
      LOG.error(
          "Stream thread died {} times within {}; shutting the client down",
          recentDeaths.size() + 1,
          Duration.ofNanos(windowNanos),
          exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    recentDeaths.addLast(now);
    LOG.error("Stream thread died; replacing it", exception);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }
}
