package gt.quetzal.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/** Loopback port helpers: every devstack service binds to 127.0.0.1 only. */
public final class Ports {

  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private Ports() {}

  /** A port that was free a moment ago; "0" cannot be used where a port must be known before binding. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** {@code requested}, or a free port when it is 0. */
  public static int orFree(int requested) {
    return requested == 0 ? freePort() : requested;
  }

  /** Whether a listener could bind {@code port} on loopback right now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // Same reuse semantics as the servers: a TIME_WAIT leftover of the last run is not "in use".
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(LOOPBACK, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** How long {@link #bindRetrying} keeps trying while another process holds the port. */
  static final Duration BIND_RETRY = Duration.ofSeconds(20);

  /**
   * Starts a server that cannot bind port 0 and report its port back: {@code start} gets {@code port} as
   * asked (0: it picks a free one itself) and binds it. Another process can take that port first, if only for
   * a moment (a free-port probe, a client's ephemeral port), and more so when builds run side by side; and a
   * server restarted on its old port, where its clients know it, finds it taken more often still. So a start
   * that fails because the address is in use is tried again, for up to {@link #BIND_RETRY}; any other failure
   * is thrown at once.
   */
  public static <T> T bindRetrying(int port, IntFunction<T> start) {
    long deadline = System.nanoTime() + BIND_RETRY.toNanos();
    while (true) {
      try {
        return start.apply(port);
      } catch (RuntimeException e) {
        if (!addressInUse(e) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      // Whoever holds the port may let go in a moment; a fresh pick for port 0 needs no pause.
      if (port != 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
  }

  /** Whether {@code e} or a cause says the address was in use. */
  static boolean addressInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }
}
