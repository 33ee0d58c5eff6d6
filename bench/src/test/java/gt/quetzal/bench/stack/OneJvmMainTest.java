package gt.quetzal.bench.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OneJvmMainTest {

  private static final Map<String, String> ENV = Map.of(
      "KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
      "KAFKA_LINGER_MS", "7",
      "INGEST_HTTP__HTTP_PORT", "8080",
      "INGEST_GRPC__HTTP_PORT", "8085",
      "INGEST_GRPC__GRPC_PORT", "9090",
      "STREAMS_APP__STATE_DIR", "/home/q/streams");

  @Test
  void eachServiceGetsItsOwnVariablesWithoutThePrefix() {
    Map<Service, Map<String, String>> own = OneJvmMain.ownVariables(ENV);

    assertThat(own).containsOnlyKeys(Service.values());
    assertThat(own.get(Service.INGEST_HTTP)).containsExactly(Map.entry("HTTP_PORT", "8080"));
    assertThat(own.get(Service.INGEST_GRPC)).containsOnly(Map.entry("HTTP_PORT", "8085"), Map.entry("GRPC_PORT", "9090"));
    assertThat(own.get(Service.STREAMS_APP)).containsExactly(Map.entry("STATE_DIR", "/home/q/streams"));
    assertThat(own.get(Service.WEB)).isEmpty();
  }

  @Test
  void everyServiceSharesTheRestAndNoOneElsesPort() {
    assertThat(OneJvmMain.shared(ENV)).containsOnly(
        Map.entry("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"), Map.entry("KAFKA_LINGER_MS", "7"));
  }

  @Test
  void thePrefixIsTheLaunchersNameInCapitals() {
    // ./quetzal derives it from its JVM names, which are the labels: ingest-http → INGEST_HTTP__.
    for (Service service : Service.values()) {
      assertThat(service.label().toUpperCase(java.util.Locale.ROOT).replace('-', '_') + OneJvmMain.SEPARATOR)
          .isEqualTo(service.name() + "__");
    }
  }
}
