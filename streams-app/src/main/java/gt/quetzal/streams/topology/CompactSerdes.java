package gt.quetzal.streams.topology;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary serdes for {@link TallyCombiner}'s pending store only. That store is read and written once
 * per vote (behind the record cache, which still serialises every key and value), so JSON there was
 * the larger part of a vote's CPU. Topics and queryable stores keep the contract's JSON serdes; this
 * format never leaves the application's own pending-store changelog, which holds only deltas not yet
 * flushed. Changing it would strand those few deltas, so treat it as part of the state format.
 *
 * <p>Layouts (big-endian): strings are a 4-byte length and UTF-8 bytes; {@code VoteCell} =
 * minuteStart (8), band, album; {@code RankDelta} = count (8), rankSum (8), rankMin (4), rankMax (4).
 */
final class CompactSerdes {

  private CompactSerdes() {}

  static Serde<VoteCell> voteCell() {
    return serde(
        cell -> {
          byte[] band = cell.band().getBytes(UTF_8);
          byte[] album = cell.album().getBytes(UTF_8);
          return ByteBuffer.allocate(16 + band.length + album.length)
              .putLong(cell.minuteStart())
              .putInt(band.length)
              .put(band)
              .putInt(album.length)
              .put(album)
              .array();
        },
        buffer -> {
          long minuteStart = buffer.getLong();
          return new VoteCell(string(buffer), string(buffer), minuteStart);
        });
  }

  static Serde<RankDelta> rankDelta() {
    return serde(
        delta ->
            ByteBuffer.allocate(24)
                .putLong(delta.count())
                .putLong(delta.rankSum())
                .putInt(delta.rankMin())
                .putInt(delta.rankMax())
                .array(),
        buffer ->
            new RankDelta(
                buffer.getLong(), buffer.getLong(), buffer.getInt(), buffer.getInt()));
  }

  private interface Writer<T> {
    byte[] write(T value);
  }

  private interface Reader<T> {
    T read(ByteBuffer buffer);
  }

  private static <T> Serde<T> serde(Writer<T> writer, Reader<T> reader) {
    Serializer<T> serializer = (topic, value) -> value == null ? null : writer.write(value);
    Deserializer<T> deserializer =
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            T value = reader.read(buffer);
            if (buffer.hasRemaining()) {
              throw new SerializationException(buffer.remaining() + " unexpected trailing bytes");
            }
            return value;
          } catch (RuntimeException e) {
            throw new SerializationException("corrupt pending-store record in " + topic, e);
          }
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static String string(ByteBuffer buffer) {
    int length = buffer.getInt();
    if (length < 0 || length > buffer.remaining()) {
      throw new IllegalArgumentException("string length " + length + " exceeds the record");
    }
    String value = new String(buffer.array(), buffer.position(), length, UTF_8);
    buffer.position(buffer.position() + length);
    return value;
  }
}
