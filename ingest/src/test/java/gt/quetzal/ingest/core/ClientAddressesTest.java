package gt.quetzal.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientAddressesTest {

  private final ClientAddresses ingress = ClientAddresses.parse("10.42.0.0/16, ::1");

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    assertThat(ClientAddresses.NO_PROXIES.client("10.42.0.7", "1.2.3.4")).isEqualTo("10.42.0.7");
  }

  @Test
  void fromATrustedProxyTheRightmostUntrustedHopIsTheClient() {
    assertThat(ingress.client("10.42.0.7", "1.2.3.4")).isEqualTo("1.2.3.4");
    // the client may prepend anything; only what our proxies appended counts
    assertThat(ingress.client("10.42.0.7", "6.6.6.6, 1.2.3.4, 10.42.3.3")).isEqualTo("1.2.3.4");
    assertThat(ingress.client("::1", "2001:db8::5")).isEqualTo("2001:db8::5");
  }

  @Test
  void anUntrustedPeerCannotChooseItsAddress() {
    assertThat(ingress.client("192.168.1.9", "1.2.3.4")).isEqualTo("192.168.1.9");
    assertThat(ingress.client("10.43.0.1", "1.2.3.4")).as("outside the /16").isEqualTo("10.43.0.1");
  }

  @Test
  void garbageInTheHeaderStopsTheWalk() {
    assertThat(ingress.client("10.42.0.7", "1.2.3.4, evil.example")).isEqualTo("10.42.0.7");
    assertThat(ingress.client("10.42.0.7", "")).isEqualTo("10.42.0.7");
  }

  @Test
  void onlyLiteralAddressesAreAccepted() {
    assertThatThrownBy(() -> ClientAddresses.parse("ingress.local")).hasMessageContaining("ingress.local");
    assertThatThrownBy(() -> ClientAddresses.parse("10.0.0.0/40")).hasMessageContaining("prefix");
  }
}
