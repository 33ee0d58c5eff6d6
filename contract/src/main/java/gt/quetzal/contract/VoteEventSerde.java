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
    out.ascii("{\"voteId\":").string(vote.voteId());
    out.ascii(",\"name\":").string(vote.name());
    out.ascii(",\"album\":").string(vote.album());
    out.ascii(",\"year\":").number(vote.year());
    out.ascii(",\"rank\":").number(vote.rank());
    if (vote.voterId() != null) { // @JsonInclude(NON_NULL)
      out.ascii(",\"voterId\":").string(vote.voterId());
    }
    out.ascii(",\"channel\":").string(vote.channel());
    out.ascii(",\"receivedAt\":").number(vote.receivedAt());
    return out.ascii("}").bytes();
  }

  /** A growable UTF-8 buffer with JSON's string escapes as Jackson writes them. */
  private static final class Writer {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private byte[] buf;
    private int len;

    Writer(int capacity) {
      buf = new byte[capacity];
    }

    /** Punctuation, field names and digits: ASCII only. */
    Writer ascii(String ascii) {
      ensure(ascii.length());
      for (int i = 0; i < ascii.length(); i++) {
        buf[len++] = (byte) ascii.charAt(i);
      }
      return this;
    }

    Writer number(long value) {
      return ascii(Long.toString(value));
    }

    Writer string(String s) {
      ensure(2 + 6 * s.length());
      buf[len++] = '"';
      for (int i = 0; i < s.length(); i++) {
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
