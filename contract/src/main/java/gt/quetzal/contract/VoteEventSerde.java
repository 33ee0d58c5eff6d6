package gt.quetzal.contract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of {@link VoteEvent}: {@link JsonSerde}'s format, with a hand-written writer. Every vote
 * is written twice (ingest to {@code votes.raw}, the streams app to {@code votes.accepted}), and
 * Jackson's reflective record serialiser stood out in a profile of the stream thread.
 *
 * <p>The bytes are exactly what {@link Json#MAPPER} writes, field order and escapes included
 * ({@code VoteEventSerdeTest} compares the two on generated votes), so no reader can tell them
 * apart; a field added to {@link VoteEvent} fails that test until it is written here too. Reading
 * stays with Jackson: readers must tolerate what other writers produce.
 */
public final class VoteEventSerde {

  private VoteEventSerde() {}

  public static Serde<VoteEvent> create() {
    Serializer<VoteEvent> serializer = (topic, vote) -> vote == null ? null : write(vote);
    return Serdes.serdeFrom(serializer, JsonSerde.of(VoteEvent.class).deserializer());
  }

  /** The vote as UTF-8 JSON, byte for byte as {@code Json.MAPPER.writeValueAsBytes(vote)}. */
  static byte[] write(VoteEvent vote) {
    Writer out = new Writer(160 + 3 * (vote.voteId().length() + vote.name().length() + vote.album().length()));
    out.ascii(VOTE_ID).string(vote.voteId());
    out.ascii(NAME).string(vote.name());
    out.ascii(ALBUM).string(vote.album());
    out.ascii(YEAR).number(vote.year());
    out.ascii(RANK).number(vote.rank());
    if (vote.voterId() != null) { // @JsonInclude(NON_NULL)
      out.ascii(VOTER_ID).string(vote.voterId());
    }
    out.ascii(CHANNEL).string(vote.channel());
    out.ascii(RECEIVED_AT).number(vote.receivedAt());
    return out.ascii(END).bytes();
  }

  private static final byte[] VOTE_ID = asciiBytes("{\"voteId\":");
  private static final byte[] NAME = asciiBytes(",\"name\":");
  private static final byte[] ALBUM = asciiBytes(",\"album\":");
  private static final byte[] YEAR = asciiBytes(",\"year\":");
  private static final byte[] RANK = asciiBytes(",\"rank\":");
  private static final byte[] VOTER_ID = asciiBytes(",\"voterId\":");
  private static final byte[] CHANNEL = asciiBytes(",\"channel\":");
  private static final byte[] RECEIVED_AT = asciiBytes(",\"receivedAt\":");
  private static final byte[] END = asciiBytes("}");

  private static byte[] asciiBytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** A growable UTF-8 buffer with JSON's string escapes as Jackson writes them. */
  private static final class Writer {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LONG_MIN = asciiBytes(Long.toString(Long.MIN_VALUE));
    private byte[] buf;
    private int len;

    Writer(int capacity) {
      buf = new byte[capacity];
    }

    /** Punctuation and field names, encoded once. */
    Writer ascii(byte[] ascii) {
      ensure(ascii.length);
      System.arraycopy(ascii, 0, buf, len, ascii.length);
      len += ascii.length;
      return this;
    }

    /** Decimal digits written in place, as {@link Long#toString(long)} would spell them. */
    Writer number(long value) {
      if (value == Long.MIN_VALUE) { // the one value whose negation overflows
        return ascii(LONG_MIN);
      }
      ensure(20);
      if (value < 0) {
        buf[len++] = '-';
        value = -value;
      }
      int digits = 1;
      for (long rest = value / 10; rest != 0; rest /= 10) {
        digits++;
      }
      len += digits;
      int at = len;
      do {
        buf[--at] = (byte) ('0' + value % 10);
        value /= 10;
      } while (value != 0);
      return this;
    }

    Writer string(String s) {
      ensure(2 + 6 * s.length());
      buf[len++] = '"';
      // The leading run that needs no escape (all of a voteId, most names) is copied in one go.
      int plain = 0;
      while (plain < s.length()) {
        char c = s.charAt(plain);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
          break;
        }
        plain++;
      }
      copyAscii(s, plain);
      for (int i = plain; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= 0x20 && c < 0x80) {
          if (c == '"' || c == '\\') {
            buf[len++] = '\\';
          }
          buf[len++] = (byte) c;
        } else if (c < 0x20) {
          control(c);
        } else if (c < 0x800) {
          buf[len++] = (byte) (0xC0 | (c >> 6));
          buf[len++] = (byte) (0x80 | (c & 0x3F));
        } else if (!Character.isSurrogate(c)) {
          buf[len++] = (byte) (0xE0 | (c >> 12));
          buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
          buf[len++] = (byte) (0x80 | (c & 0x3F));
        } else {
          // Jackson escapes UTF-16 surrogates, paired or not, instead of writing 4-byte UTF-8.
          escape(c);
        }
      }
      buf[len++] = '"';
      return this;
    }

    /** The first {@code count} chars of {@code s}, all ASCII: each char's low byte is its UTF-8. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) is exact for ASCII, and a block copy
    private void copyAscii(String s, int count) {
      s.getBytes(0, count, buf, len);
      len += count;
    }

    private void control(char c) {
      char shortForm =
          switch (c) {
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
          };
      if (shortForm == 0) {
        escape(c);
      } else {
        buf[len++] = '\\';
        buf[len++] = (byte) shortForm;
      }
    }

    private void escape(char c) {
      buf[len++] = '\\';
      buf[len++] = 'u';
      buf[len++] = HEX[c >> 12];
      buf[len++] = HEX[(c >> 8) & 0xF];
      buf[len++] = HEX[(c >> 4) & 0xF];
      buf[len++] = HEX[c & 0xF];
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, len);
    }
  }
}
