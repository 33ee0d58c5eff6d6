package gt.quetzal.streams;

import static java.nio.charset.StandardCharsets.UTF_8;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary serdes for the combiners' pending stores only. Those stores are read and written once per
 * vote (behind the record cache, which still serialises every key and value), so JSON there was the
 * larger part of a vote's CPU. Topics and queryable stores keep the contract's JSON serdes; this
 * format never leaves the application's own pending-store changelogs, which hold only deltas not yet
 * flushed. Changing it would strand those few deltas, so treat it as part of the state format.
 *
 * <p>Layouts (big-endian): strings are a 4-byte length and UTF-8 bytes; {@code AlbumKey} = band,
 * album; {@code AlbumTally} = count (8), rankSum (8), rankMin (4), rankMax (4), band, album; {@code
 * BandMinute} = minuteStart (8), band.
 */
final class CompactSerdes {

  private CompactSerdes() {}

  static Serde<AlbumKey> albumKey() {
    return serde(
        key -> {
          byte[] band = key.band().getBytes(UTF_8);
          byte[] album = key.album().getBytes(UTF_8);
          return ByteBuffer.allocate(8 + band.length + album.length)
              .put(sized(band))
              .put(sized(album))
              .array();
        },
        buffer -> new AlbumKey(string(buffer), string(buffer)));
  }

  static Serde<AlbumTally> albumTally() {
    return serde(
        tally -> {
          byte[] band = tally.band().getBytes(UTF_8);
          byte[] album = tally.album().getBytes(UTF_8);
          return ByteBuffer.allocate(24 + 8 + band.length + album.length)
              .putLong(tally.count())
              .putLong(tally.rankSum())
              .putInt(tally.rankMin())
              .putInt(tally.rankMax())
              .put(sized(band))
              .put(sized(album))
              .array();
        },
        buffer -> {
          long count = buffer.getLong();
          long rankSum = buffer.getLong();
          int rankMin = buffer.getInt();
          int rankMax = buffer.getInt();
          return new AlbumTally(string(buffer), string(buffer), count, rankSum, rankMin, rankMax);
        });
  }

  static Serde<BandMinute> bandMinute() {
    return serde(
        minute -> {
          byte[] band = minute.band().getBytes(UTF_8);
          return ByteBuffer.allocate(12 + band.length)
              .putLong(minute.minuteStart())
              .put(sized(band))
              .array();
        },
        buffer -> {
          long minuteStart = buffer.getLong();
          return new BandMinute(string(buffer), minuteStart);
        });
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

  private static byte[] sized(byte[] bytes) {
    return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
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
