package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The brokers' FORWARD listener is where {@code ./quetzal k8s verify} forwards, and only there. */
class KafkaForwardTest {

  private static String start() throws IOException {
    return Files.readString(KafkaForward.startScript());
  }

  private static String verify() throws IOException {
    return Files.readString(KafkaForward.verifyScript());
  }

  @Test
  void everyBrokerAdvertisesTheLocalPortItsForwardUses(@TempDir Path dir) throws IOException {
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      assertThat(KafkaForward.check(start(), verify(), ordinal, dir.resolve("b" + ordinal))).as("broker " + ordinal).isEmpty();
    }
  }

  @Test
  void aListenerOnEveryInterfaceIsRefused(@TempDir Path dir) throws IOException {
    String broken = start().replace("FORWARD://127.0.0.1:9094", "FORWARD://:9094");
    assertThat(KafkaForward.check(broken, verify(), 1, dir)).containsExactly(
        "start.sh: the FORWARD listener binds :9094, not 127.0.0.1:9094 (the pod's loopback, on the port launcher/k8s.sh forwards to)");
  }

  @Test
  void aLauncherForwardingElsewhereIsRefused(@TempDir Path dir) throws IOException {
    String broken = verify().replace(":-19092}", ":-29092}");
    assertThat(KafkaForward.check(start(), broken, 2, dir)).containsExactly(
        "start.sh: broker 2 advertises FORWARD as 127.0.0.1:19094, not 127.0.0.1:29094 (launcher/k8s.sh's forward base + ordinal)");
    String otherRemote = verify().replace("K8S_KAFKA_FORWARD_PORT=9094", "K8S_KAFKA_FORWARD_PORT=9092");
    assertThat(KafkaForward.check(start(), otherRemote, 0, dir)).containsExactly(
        "start.sh: the FORWARD listener binds 127.0.0.1:9094, not 127.0.0.1:9092 (the pod's loopback, on the port launcher/k8s.sh forwards to)");
  }

  @Test
  void aListenerWithoutAProtocolIsRefused(@TempDir Path dir) throws IOException {
    String broken = start().replace(",FORWARD:PLAINTEXT", "");
    assertThat(KafkaForward.check(broken, verify(), 0, dir)).containsExactly(
        "start.sh: listener FORWARD has no security protocol in listener.security.protocol.map");
  }
}
