package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.internals.Exit;
import org.junit.jupiter.api.Test;

class KafkaExitGuardTest {

  @Test
  void aHaltOrExitWhileABrokerStopsLeavesTheJvmRunning() {
    List<String> reached = new ArrayList<>();

    // Unguarded, the halt would end the test JVM and fail the build.
    KafkaExitGuard.whileStopping(() -> {
      Exit.halt(1, "a fatal fault during shutdown");
      reached.add("after halt");
      Exit.exit(1, "a fatal fault during shutdown");
      reached.add("after exit");
    });

    assertThat(reached).containsExactly("after halt", "after exit");
  }

  @Test
  void onlyWhileABrokerStopsAndUntilTheLastOfNestedStopsEnds() {
    assertThat(KafkaExitGuard.ignoring()).isFalse();
    List<Boolean> seen = new ArrayList<>();

    KafkaExitGuard.whileStopping(() -> {
      KafkaExitGuard.whileStopping(() -> seen.add(KafkaExitGuard.ignoring()));
      seen.add(KafkaExitGuard.ignoring());
    });

    assertThat(seen).containsExactly(true, true);
    assertThat(KafkaExitGuard.ignoring()).as("a later halt ends the JVM as Kafka's default does").isFalse();
  }

  @Test
  void aStopThatThrowsStillEndsTheGuard() {
    assertThatThrownBy(() -> KafkaExitGuard.whileStopping(() -> {
      throw new IllegalStateException("shutdown failed");
    })).hasMessage("shutdown failed");

    assertThat(KafkaExitGuard.ignoring()).isFalse();
  }
}
