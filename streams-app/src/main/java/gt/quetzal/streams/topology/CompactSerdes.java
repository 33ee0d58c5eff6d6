package gt.quetzal.streams.topology;

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
 * Binary serdes for {@link TallyCombiner}'s pending store and for the one repartition topic of
 * merged deltas ({@code <application.id>-tally-deltas-repartition}). The pending store is read and
 * written once per vote (behind the record cache, which still serialises every key and value), so
 * JSON there was the larger part of a vote's CPU. Output topics and queryable stores keep the
 * contract's JSON serdes; this format never leaves the application's own internal topics, which hold
 * only deltas not yet summed. Changing it would strand those few deltas, so treat it as part of the
 * state format.
 *
 * <p>Layouts (big-endian): strings are a 4-byte length and UTF-8 bytes; {@code VoteCell} =
 * minuteStart (8), band, album; {@code RankDelta} = count (8), rankSum (8), rankMin (4), rankMax (4);
 * {@code TallyDelta} = a kind byte, then Band: band, count (8); Album: band, album, count (8), rankSum
 * (8), rankMin (4), rankMax (4); Minute: band, minuteStart (8), count (8); Stat: name, count (8).
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

  private static final byte BAND = 1;
  private static final byte ALBUM = 2;
  private static final byte MINUTE = 3;
  private static final byte STAT = 4;

  static Serde<TallyDelta> tallyDelta() {
    return serde(CompactSerdes::writeDelta, CompactSerdes::readDelta);
  }

  private static byte[] writeDelta(TallyDelta delta) {
    if (delta instanceof TallyDelta.Band band) {
      byte[] name = band.band().getBytes(UTF_8);
      return ByteBuffer.allocate(13 + name.length).put(BAND).putInt(name.length).put(name).putLong(band.count()).array();
    }
    if (delta instanceof TallyDelta.Album album) {
      AlbumTally tally = album.tally();
      byte[] band = tally.band().getBytes(UTF_8);
      byte[] title = tally.album().getBytes(UTF_8);
      return ByteBuffer.allocate(33 + band.length + title.length)
          .put(ALBUM)
          .putInt(band.length)
          .put(band)
          .putInt(title.length)
          .put(title)
          .putLong(tally.count())
          .putLong(tally.rankSum())
          .putInt(tally.rankMin())
          .putInt(tally.rankMax())
          .array();
    }
    if (delta instanceof TallyDelta.Minute minute) {
      byte[] band = minute.minute().band().getBytes(UTF_8);
      return ByteBuffer.allocate(21 + band.length)
          .put(MINUTE)
          .putInt(band.length)
          .put(band)
          .putLong(minute.minute().minuteStart())
          .putLong(minute.count())
          .array();
    }
    TallyDelta.Stat stat = (TallyDelta.Stat) delta;
    byte[] name = stat.name().getBytes(UTF_8);
    return ByteBuffer.allocate(13 + name.length).put(STAT).putInt(name.length).put(name).putLong(stat.count()).array();
  }

  private static TallyDelta readDelta(ByteBuffer buffer) {
    byte kind = buffer.get();
    switch (kind) {
      case BAND:
        return new TallyDelta.Band(string(buffer), buffer.getLong());
      case ALBUM:
        String band = string(buffer);
        String album = string(buffer);
        AlbumTally tally =
            new AlbumTally(band, album, buffer.getLong(), buffer.getLong(), buffer.getInt(), buffer.getInt());
        return new TallyDelta.Album(new AlbumKey(band, album), tally);
      case MINUTE:
        return new TallyDelta.Minute(new BandMinute(string(buffer), buffer.getLong()), buffer.getLong());
      case STAT:
        return new TallyDelta.Stat(string(buffer), buffer.getLong());
      default:
        throw new IllegalArgumentException("unknown delta kind " + kind);
    }
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
            throw new SerializationException("corrupt internal record in " + topic, e);
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
