package gt.quetzal.sinks;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/** Tally records as the Redis sink polls them, and the Redis commands a call runs, for the mirror's ITs. */
final class TallyRecords {

  static final long MINUTE = 1_767_225_600_000L;

  private TallyRecords() {}

  static <K, V> ConsumerRecord<byte[], byte[]> raw(Topic<K, V> topic, int partition, long offset, K key, V value) {
    return new ConsumerRecord<>(
        topic.name(),
        partition,
        offset,
        topic.keySerde().serializer().serialize(topic.name(), key),
        topic.valueSerde().serializer().serialize(topic.name(), value));
  }

  static ConsumerRecord<byte[], byte[]> band(int partition, long offset, String band, long total) {
    return raw(Topics.TALLIES_BANDS, partition, offset, band, total);
  }

  static ConsumerRecord<byte[], byte[]> album(int partition, long offset, String band, long count) {
    return raw(Topics.TALLIES_ALBUMS, partition, offset, new AlbumKey(band, band), new AlbumTally(band, band, count, count, 1, 1));
  }

  static ConsumerRecord<byte[], byte[]> minute(int partition, long offset, String band, long minuteStart, long count) {
    return raw(Topics.TALLIES_BANDS_PER_MINUTE, partition, offset, new BandMinute(band, minuteStart), count);
  }

  static ConsumerRecord<byte[], byte[]> stat(long offset, String name, long value) {
    return raw(Topics.TALLIES_STATS, 0, offset, name, value);
  }

  /**
   * Round {@code round} (0, 1, …) of a steady state: every band of {@code bands} has one more vote, so
   * each kind of tally changes, and each band's current minute. Band i lives in partition i % 3 of
   * every topic; offsets grow by one per band per round.
   */
  static List<ConsumerRecord<byte[], byte[]>> round(List<String> bands, int round) {
    List<ConsumerRecord<byte[], byte[]>> poll = new ArrayList<>();
    for (int i = 0; i < bands.size(); i++) {
      long offset = (long) round * bands.size() + i;
      long count = round + 1;
      poll.add(band(i % 3, offset, bands.get(i), count));
      poll.add(album(i % 3, offset, bands.get(i), count));
      poll.add(minute(i % 3, offset, bands.get(i), MINUTE, count));
    }
    poll.add(stat(round, "accepted", (long) (round + 1) * bands.size()));
    return poll;
  }

  /**
   * The commands Redis ran while {@code action} ran, by name, counted by Redis itself ({@code INFO
   * commandstats}, reset first; commands run inside a script count under their own names). The
   * counting's own CONFIG and INFO are left out.
   */
  static Map<String, Long> commands(RedisClient redis, Runnable action) {
    redis.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
    action.run();
    Map<String, Long> calls = new TreeMap<>();
    for (String line : redis.info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), line.indexOf(':'));
      if (name.startsWith("config") || name.startsWith("info")) {
        continue;
      }
      String stats = line.substring(line.indexOf(':') + 1);
      long count = Long.parseLong(stats.substring("calls=".length(), stats.indexOf(',')));
      calls.merge(name, count, Long::sum);
    }
    return calls;
  }

  static long total(Map<String, Long> commands) {
    return commands.values().stream().mapToLong(Long::longValue).sum();
  }
}
