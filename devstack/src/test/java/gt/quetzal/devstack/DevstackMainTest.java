package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevstackMainTest {

  @Test
  void namesTheTakenPortAndItsService() throws Exception {
    int free = Ports.freePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<Integer, String> ports = new LinkedHashMap<>();
      ports.put(free, "Kafka");
      ports.put(taken.getLocalPort(), "Redis");

      assertThat(DevstackMain.firstPortInUse(ports))
          .contains("port " + taken.getLocalPort() + " (Redis) is already in use");
    }
  }

  @Test
  void allFreeMeansNoMessage() {
    assertThat(DevstackMain.firstPortInUse(Map.of(Ports.freePort(), "Kafka"))).isEmpty();
  }
}
