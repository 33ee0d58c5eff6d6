package gt.quetzal.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VoteEventSerdeTest {

  /** Every kind of character the writer treats differently, and its neighbours. */
  private static final String[] PIECES = {
    "a", "Z", "0", " ", "\"", "\\", "/", "\u0000", "\u0001", "\b", "\t", "\n", "\u000B", "\f", "\r",
    "\u001F", "\u007F", "\u0080", "é", "ñ", "ß", "\u07FF", "\u0800", "京", "\u2028", "\uFFFD", "\uFFFF",
    "😀", "𝄞", "e\u0301"
  };

  @Test
  void writesExactlyWhatJacksonWritesForGeneratedVotes() throws Exception {
    SplittableRandom random = new SplittableRandom(2026);
    for (int i = 0; i < 20_000; i++) {
      VoteEvent vote =
          new VoteEvent(
              text(random),
              text(random),
              text(random),
              random.nextInt(),
              random.nextInt(),
              random.nextBoolean() ? null : text(random),
              text(random),
              random.nextLong());
      assertThat(new String(VoteEventSerde.write(vote), StandardCharsets.UTF_8))
          .isEqualTo(new String(Json.MAPPER.writeValueAsBytes(vote), StandardCharsets.UTF_8));
      assertThat(VoteEventSerde.write(vote)).isEqualTo(Json.MAPPER.writeValueAsBytes(vote));
    }
  }

  @Test
  void numberEdgesAndLongPlainRunsAreWrittenAsJacksonWritesThem() throws Exception {
    long[] numbers = {0, 1, -1, 9, 10, -10, 99, 100, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
        Long.MIN_VALUE + 1, 1_700_000_000_000L, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L};
    String uuid = "0190f5a4-7c1e-7abc-8def-0123456789ab";
    String longPlain = "Alux Nahual ".repeat(40); // longer than the first guess of the buffer
    for (long number : numbers) {
      int small = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number));
      for (String text : new String[] {uuid, longPlain, longPlain + "é\"" + longPlain, "", "\"lead", "tail\\"}) {
        VoteEvent vote = new VoteEvent(uuid, text, longPlain, small, -small, text.isEmpty() ? null : text, "grpc", number);
        assertThat(new String(VoteEventSerde.write(vote), StandardCharsets.UTF_8))
            .isEqualTo(new String(Json.MAPPER.writeValueAsBytes(vote), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void loneSurrogatesAreEscapedAsJacksonDoes() throws Exception {
    for (String odd : new String[] {"x\uD800", "\uDC00y", "\uD83D\uD83D", "end\uD83D"}) {
      VoteEvent vote = new VoteEvent("v-1", odd, "album", 1997, 87, odd, "http", 1L);
      assertThat(VoteEventSerde.write(vote)).isEqualTo(Json.MAPPER.writeValueAsBytes(vote));
    }
  }

  @Test
  void readsBackWhatItWrites() {
    var serde = VoteEventSerde.create();
    VoteEvent vote = new VoteEvent("v-1", "Alux \"Nahual\"\n", "Crónicas 😀", 1997, 87, "ana", "grpc", 1_700_000_000_000L);
    byte[] bytes = serde.serializer().serialize("votes.accepted", vote);
    assertThat(serde.deserializer().deserialize("votes.accepted", bytes)).isEqualTo(vote);
    assertThat(serde.serializer().serialize("votes.accepted", null)).isNull();
  }

  private static String text(SplittableRandom random) {
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(0, 12);
    for (int i = 0; i < n; i++) {
      sb.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }
}
