package gt.quetzal.bench.up;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpBenchTest {

  @Test
  void theStacksProcessesAreNamedAndTheLaunchersHelpersLeftOut() {
    assertThat(UpBench.name(List.of("/usr/lib/jvm/bin/java", "-Xmx192m", "-cp", "a.jar", "gt.quetzal.sinks.SinksMain")))
        .isEqualTo("SinksMain");
    // redis-server rewrites its title into argv[0].
    assertThat(UpBench.name(List.of("/usr/bin/redis-server 127.0.0.1:26379"))).isEqualTo("redis-server");
    assertThat(UpBench.name(List.of("tail", "-F", "devstack.log"))).isNull();
    assertThat(UpBench.name(List.of())).isNull();
  }
}
