package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortsTest {

  @TempDir Path dir;

  @Test
  void aStartThatFindsItsPortHeldIsTriedAgainOnThatPortUntilItIsFree() throws IOException {
    ServerSocket holder = listen(0);
    int port = holder.getLocalPort();
    List<Integer> tried = new ArrayList<>();

    ServerSocket bound = Ports.bindRetrying(port, asked -> {
      tried.add(asked);
      if (tried.size() == 3) {
        close(holder); // the other process lets go
      }
      return listen(asked);
    });

    try (bound) {
      assertThat(bound.getLocalPort()).isEqualTo(port);
      assertThat(tried).as("two starts lost the port, the third had it").containsExactly(port, port, port);
    }
  }

  @Test
  void anyOtherFailureIsThrownAtOnce() {
    List<Integer> tried = new ArrayList<>();

    assertThatThrownBy(() -> Ports.bindRetrying(0, asked -> {
      tried.add(asked);
      throw new IllegalStateException("no such binary");
    })).hasMessage("no such binary");

    assertThat(tried).hasSize(1);
  }

  @Test
  void redisAndTheMongoStandInReportAHeldPortAsAnAddressInUse() throws IOException {
    try (ServerSocket holder = listen(0)) {
      int port = holder.getLocalPort();

      assertThatThrownBy(() -> RedisServer.startOn(port, dir.resolve("redis"), false))
          .satisfies(e -> assertThat(Ports.addressInUse(e)).as("%s", e).isTrue());
      assertThatThrownBy(() -> MongoStandIn.bind(new MemoryBackend(), port, null))
          .satisfies(e -> assertThat(Ports.addressInUse(e)).as("%s", e).isTrue());
    }
  }

  @Test
  void aFailureThatIsNotAboutTheAddressIsNotMistakenForOne() {
    assertThat(Ports.addressInUse(new IllegalStateException("redis-server exited: Bad directive"))).isFalse();
    assertThat(Ports.addressInUse(new IllegalStateException("wrapped", new java.net.BindException("x")))).isTrue();
  }

  private static ServerSocket listen(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.bind(new InetSocketAddress(Ports.LOOPBACK, port), 1);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void close(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
