package gt.quetzal.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

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
}
