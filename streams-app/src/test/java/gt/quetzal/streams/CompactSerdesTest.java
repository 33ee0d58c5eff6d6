package gt.quetzal.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
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
    AlbumKey key = new AlbumKey("Ñandú 🎸 Trébol", "");
    assertThat(roundTrip(CompactSerdes.albumKey(), key)).isEqualTo(key);

    AlbumTally tally = new AlbumTally("Malacates Trébol Shop", "Crónicas «de» Mercado", 12_345_678_901L, 98_765_432_109L, 1, 100);
    assertThat(roundTrip(CompactSerdes.albumTally(), tally)).isEqualTo(tally);

    BandMinute minute = new BandMinute("La Tona", 1_795_694_400_000L);
    assertThat(roundTrip(CompactSerdes.bandMinute(), minute)).isEqualTo(minute);
  }

  @Test
  void keysThatDifferOnlyInWhereBandEndsStayDistinct() {
    byte[] a = CompactSerdes.albumKey().serializer().serialize("t", new AlbumKey("ab", "c"));
    byte[] b = CompactSerdes.albumKey().serializer().serialize("t", new AlbumKey("a", "bc"));
    assertThat(Arrays.equals(a, b)).isFalse();
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertThat(CompactSerdes.albumTally().serializer().serialize("t", null)).isNull();
    assertThat(CompactSerdes.albumTally().deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void corruptBytesFailLoudly() {
    byte[] good = CompactSerdes.bandMinute().serializer().serialize("t", new BandMinute("X", 0));
    byte[] truncated = Arrays.copyOf(good, good.length - 1);
    byte[] padded = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> CompactSerdes.bandMinute().deserializer().deserialize("t", truncated))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> CompactSerdes.bandMinute().deserializer().deserialize("t", padded))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt");
  }
}
