package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServiceMainTest {

  private record Running(Closer started) {}

  @Test
  void aStartedServiceClosesItsPartsThenItsRegistry() {
    List<String> closed = new ArrayList<>();
    AtomicReference<PrometheusMeterRegistry> seen = new AtomicReference<>();
    Running running =
        ServiceMain.start(
            "svc",
            "config",
            (started, registry) -> {
              seen.set(registry);
              assertThat(registry.scrape()).as("the JVM meters are bound").contains("jvm_memory_used_bytes");
              started.register(() -> closed.add("server:" + registry.isClosed()));
              return new Running(started);
            });
    assertThat(seen.get().isClosed()).isFalse();

    running.started().close();

    assertThat(closed).containsExactly("server:false");
    assertThat(seen.get().isClosed()).isTrue();
  }

  @Test
  void aFailedWiringClosesTheRegistryAndWhatHadStarted() {
    List<String> closed = new ArrayList<>();
    AtomicReference<PrometheusMeterRegistry> seen = new AtomicReference<>();
    assertThatThrownBy(
            () ->
                ServiceMain.start(
                    "svc",
                    "config",
                    (started, registry) -> {
                      seen.set(registry);
                      started.register(() -> closed.add("client"));
                      throw new IllegalStateException("port taken");
                    }))
        .hasMessage("port taken");
    assertThat(closed).containsExactly("client");
    assertThat(seen.get().isClosed()).isTrue();
  }
}
