package gt.quetzal.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void nearestRankOnUnsortedSamples() {
    long[] samples = new long[100];
    for (int i = 0; i < 100; i++) {
      samples[i] = 100 - i; // 100 .. 1
    }
    Percentiles p = new Percentiles(samples);

    assertThat(p.at(50)).isEqualTo(50);
    assertThat(p.at(99)).isEqualTo(99);
    assertThat(p.at(100)).isEqualTo(100);
    assertThat(p.max()).isEqualTo(100);
    assertThat(p.count()).isEqualTo(100);
  }

  @Test
  void smallSetsPickAMeasuredValue() {
    Percentiles p = new Percentiles(new long[] {30, 10, 20});

    assertThat(p.at(50)).isEqualTo(20);
    assertThat(p.at(99)).isEqualTo(30);
    assertThat(p.at(1)).isEqualTo(10);
  }

  @Test
  void doesNotKeepTheCallersArray() {
    long[] samples = {5, 1};
    Percentiles p = new Percentiles(samples);
    samples[0] = 1_000;

    assertThat(p.max()).isEqualTo(5);
  }

  @Test
  void rejectsEmptyAndOutOfRange() {
    assertThatThrownBy(() -> new Percentiles(new long[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Percentiles(new long[] {1}).at(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
