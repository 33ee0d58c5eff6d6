package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static List<Long> take(Backoff backoff, int n) {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      delays.add(backoff.next().toMillis());
    }
    return delays;
  }

  @Test
  void doublesFromInitialAndStopsAtTheCap() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    assertThat(take(backoff, 9)).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L);
    assertThat(backoff.attempts()).isEqualTo(9);
  }

  @Test
  void resetStartsOverAtInitial() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    take(backoff, 4);
    backoff.reset();
    assertThat(backoff.attempts()).isZero();
    assertThat(take(backoff, 2)).containsExactly(100L, 200L);
  }

  @Test
  void capEqualToInitialIsAConstantDelay() {
    Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofMillis(250));
    assertThat(take(backoff, 3)).containsExactly(250L, 250L, 250L);
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
