package gt.quetzal.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class CompactSerdesTest {

  private static <T> T roundTrip(Serde<T> serde, T value) {
    return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
  }

  @Test
  void valuesSurviveARoundTripIncludingUnicodeAndEmptyStrings() {
    VoteCell cell = new VoteCell("Ñandú 🎸 Trébol", "", 1_795_694_400_000L);
    assertThat(roundTrip(CompactSerdes.voteCell(), cell)).isEqualTo(cell);

    VoteCell named = new VoteCell("Malacates Trébol Shop", "Crónicas «de» Mercado", 0);
    assertThat(roundTrip(CompactSerdes.voteCell(), named)).isEqualTo(named);

    RankDelta delta = new RankDelta(12_345_678_901L, 98_765_432_109L, 1, 100);
    assertThat(roundTrip(CompactSerdes.rankDelta(), delta)).isEqualTo(delta);
  }

  @Test
  void cellsThatDifferOnlyInWhereBandEndsStayDistinct() {
    byte[] a = CompactSerdes.voteCell().serializer().serialize("t", new VoteCell("ab", "c", 0));
    byte[] b = CompactSerdes.voteCell().serializer().serialize("t", new VoteCell("a", "bc", 0));
    assertThat(Arrays.equals(a, b)).isFalse();
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertThat(CompactSerdes.rankDelta().serializer().serialize("t", null)).isNull();
    assertThat(CompactSerdes.rankDelta().deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void corruptBytesFailLoudly() {
    byte[] good = CompactSerdes.voteCell().serializer().serialize("t", new VoteCell("X", "Y", 0));
    byte[] truncated = Arrays.copyOf(good, good.length - 1);
    byte[] padded = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> CompactSerdes.voteCell().deserializer().deserialize("t", truncated))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> CompactSerdes.voteCell().deserializer().deserialize("t", padded))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt");
  }
}
