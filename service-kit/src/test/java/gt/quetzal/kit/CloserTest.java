package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;

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
}
