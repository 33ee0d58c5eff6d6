package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloserTest {

  @Test
  void closesInReverseOrderAndKeepsGoingPastAFailure() {
    List<String> closed = new ArrayList<>();
    Closer closer = new Closer();
    closer.register(() -> closed.add("first"));
    closer.register(() -> {
      closed.add("second");
      throw new IllegalStateException("boom");
    });
    closer.register(() -> closed.add("third"));

    closer.close();
    closer.close();

    assertThat(closed).containsExactly("third", "second", "first");
  }

  @Test
  void aFailedStartClosesWhatHadStartedAndRethrows() {
    List<String> closed = new ArrayList<>();
    assertThatThrownBy(
            () ->
                Closer.starting(
                    started -> {
                      started.register(() -> closed.add("registry"));
                      started.register(() -> closed.add("client"));
                      throw new IllegalStateException("port taken");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("port taken");
    assertThat(closed).containsExactly("client", "registry");
  }

  @Test
  void aStartThatSucceedsLeavesEverythingRunningForItsHandle() {
    List<String> closed = new ArrayList<>();
    Closer handle =
        Closer.starting(
            started -> {
              started.register(() -> closed.add("registry"));
              return started;
            });
    assertThat(closed).isEmpty();
    handle.close();
    assertThat(closed).containsExactly("registry");
  }
}
