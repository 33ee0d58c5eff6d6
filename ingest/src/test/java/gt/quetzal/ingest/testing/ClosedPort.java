package gt.quetzal.ingest.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port where nothing listens, reserved for the whole test JVM: a socket bound to it that never
 * listens, so connections there are refused and no other process can take the port meanwhile (a port
 * found free and closed again could be taken by anything before the test connects).
 */
public final class ClosedPort {

  private static final Socket RESERVED = reserve();

  private ClosedPort() {}

  private static Socket reserve() {
    try {
      Socket socket = new Socket();
      socket.bind(new InetSocketAddress(0));
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The reserved port; connecting to it is refused. */
  public static int port() {
    return RESERVED.getLocalPort();
  }
}
