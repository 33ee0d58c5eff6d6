package gt.quetzal.kit;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service started, closed in reverse start order. One failing close is logged and does not
 * stop the others, so a shutdown always reaches the Kafka clients at the bottom of the stack.
 */
public final class Closer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Closer.class);

  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /**
   * Runs a service's start with a fresh closer, each step registering what it started. If a step fails,
   * what had started is closed (reverse order) before the failure goes on; otherwise the closer is the
   * caller's, inside what {@code start} returns.
   */
  public static <T> T starting(Function<Closer, T> start) {
    Closer started = new Closer();
    try {
      return start.apply(started);
    } catch (RuntimeException | Error e) {
      started.close();
      throw e;
    }
  }

  /** Remembers {@code resource} so {@link #close()} closes it before everything registered earlier. */
  public synchronized <T extends AutoCloseable> T register(T resource) {
    started.push(resource);
    return resource;
  }

  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      closeQuietly(started.pop());
    }
  }

  public static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      log.warn("error while stopping", e);
    }
  }
}
