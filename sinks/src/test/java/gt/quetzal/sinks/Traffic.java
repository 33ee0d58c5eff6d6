package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mongodb.client.MongoDatabase;
import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.Timeline;
import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.bson.Document;
import org.bson.codecs.DocumentCodec;

/**
 * Traffic on every topic the sinks read, shaped like the streams app's output (absolute, growing tallies;
 * a tombstone now and then), and the exact state the mirrors must reach: the newest value per key. A key's
 * records share a partition and one idempotent producer keeps their order, so the last one sent is the
 * newest. Not thread-safe: one test thread drives it.
 */
final class Traffic implements AutoCloseable {

  static final List<String> BANDS =
      List.of("Alux Nahual", "Malacates Trébol Shop", "Bohemia Suburbana", "Viernes Verde", "Ángeles del Infierno");
  static final long BASE_MINUTE = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  /** The timeline stream cap the tests' sinks run with (the default). */
  static final int MAX_MINUTES = 1_440;

  private final KafkaProducer<String, Long> bands;
  private final KafkaProducer<AlbumKey, AlbumTally> albums;
  private final KafkaProducer<BandMinute, Long> minutes;
  private final KafkaProducer<String, Long> stats;
  private final KafkaProducer<String, VoteEvent> accepted;
  private final KafkaProducer<String, RejectedVote> rejected;
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();
  private final List<Map.Entry<Future<RecordMetadata>, RejectedVote>> pendingRejections = new ArrayList<>();

  private final Map<String, Long> bandTotals = new HashMap<>();
  private final Map<AlbumKey, AlbumTally> albumTallies = new HashMap<>();
  private final Map<BandMinute, Long> minuteCounts = new HashMap<>();
  private final Map<String, Long> statValues = new HashMap<>();
  private final Map<String, VoteEvent> votes = new LinkedHashMap<>();
  private final Map<String, RejectedVote> rejections = new LinkedHashMap<>();
  private int tallyRecords;

  Traffic(String bootstrap) {
    bands = ItSupport.producer(bootstrap, Topics.TALLIES_BANDS);
    albums = ItSupport.producer(bootstrap, Topics.TALLIES_ALBUMS);
    minutes = ItSupport.producer(bootstrap, Topics.TALLIES_BANDS_PER_MINUTE);
    stats = ItSupport.producer(bootstrap, Topics.TALLIES_STATS);
    accepted = ItSupport.producer(bootstrap, Topics.VOTES_ACCEPTED);
    rejected = ItSupport.producer(bootstrap, Topics.VOTES_REJECTED);
  }

  private <K, V> Future<RecordMetadata> send(KafkaProducer<K, V> producer, Topic<K, V> topic, K key, V value) {
    Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(topic.name(), key, value));
    pending.add(sent);
    return sent;
  }

  private void band(String band, Long total) {
    send(bands, Topics.TALLIES_BANDS, band, total);
    put(bandTotals, band, total);
    tallyRecords++;
  }

  private void album(AlbumKey key, AlbumTally tally) {
    send(albums, Topics.TALLIES_ALBUMS, key, tally);
    put(albumTallies, key, tally);
    tallyRecords++;
  }

  private void minute(BandMinute key, Long count) {
    send(minutes, Topics.TALLIES_BANDS_PER_MINUTE, key, count);
    put(minuteCounts, key, count);
    tallyRecords++;
  }

  private void stat(String key, long value) {
    send(stats, Topics.TALLIES_STATS, key, value);
    statValues.put(key, value);
    tallyRecords++;
  }

  private static <K, V> void put(Map<K, V> latest, K key, V value) {
    if (value == null) {
      latest.remove(key); // a tombstone: the key is gone from the mirror
    } else {
      latest.put(key, value);
    }
  }

  /**
   * One update of every key, as after a commit interval of the streams app: each band, two albums per
   * band, the band's current minute (four rounds per minute, so minutes both change and close), stats.
   */
  void tallyRound(int round) {
    long minuteStart = BASE_MINUTE + (round / 4) * Timeline.MINUTE_MS;
    for (int b = 0; b < BANDS.size(); b++) {
      String band = BANDS.get(b);
      band(band, round * 10L + b);
      for (int a = 0; a < 2; a++) {
        long count = round * 3L + a;
        String name = a == 0 ? band : "Niño Dios " + a;
        album(new AlbumKey(band, name), new AlbumTally(band, name, count, count * 50 + b, 1 + a, 90 + b));
      }
      minute(new BandMinute(band, minuteStart), (round % 4 + 1) * (b + 1L));
    }
    stat("accepted", round * 100L);
    stat("duplicates", round);
    stat("rejected", round * 2L);
    stat("rejected.unknown_band", round * 2L);
  }

  /**
   * Keys that go away and come back: a band deleted and recounted from 1 (its counts go down, so only an
   * offset guard gets it right), an album deleted for good, a minute deleted for good.
   */
  void tombstones() {
    band("Ricardo Arjona", 50L);
    band("Ricardo Arjona", null);
    band("Ricardo Arjona", 1L);
    band("Ricardo Arjona", 2L);
    AlbumKey gone = new AlbumKey("Ricardo Arjona", "Jesús, verbo no sustantivo");
    album(gone, new AlbumTally(gone.band(), gone.album(), 4, 200, 10, 90));
    album(gone, null);
    BandMinute goneMinute = new BandMinute("Ricardo Arjona", BASE_MINUTE);
    minute(goneMinute, 3L);
    minute(goneMinute, null);
  }

  /** Accepted votes {@code from} (inclusive) to {@code to} (exclusive): ids, names and dates vary. */
  void votes(int from, int to) {
    for (int i = from; i < to; i++) {
      VoteEvent vote =
          new VoteEvent(
              String.format("0190a0b0-0000-7000-8000-%012d", i),
              BANDS.get(i % BANDS.size()),
              i % 2 == 0 ? "Niño Dios" : "Ciudad de Guatemala",
              1980 + i % 40,
              1 + i % 100,
              i % 3 == 0 ? "votante-" + i : null,
              i % 2 == 0 ? VoteEvent.CHANNEL_HTTP : VoteEvent.CHANNEL_GRPC,
              BASE_MINUTE + i * 1_000L);
      send(accepted, Topics.VOTES_ACCEPTED, vote.voteId(), vote);
      votes.put(vote.voteId(), vote);
    }
  }

  /**
   * Rejections {@code from} to {@code to}: every fifth unreadable (no voteId, so no key), and pairs that
   * share a voteId (a bad vote retried), which must still be stored twice.
   */
  void rejections(int from, int to) {
    for (int i = from; i < to; i++) {
      String voteId = i % 5 == 0 ? null : "bad-" + (i / 2);
      RejectedVote rejection =
          new RejectedVote(
              voteId,
              i % 2 == 0 ? "unknown_band" : "invalid",
              "band 'Los Ñ " + i + "' is not in the catalog",
              "{\"name\":\"Los Ñ " + i + "\"}",
              BASE_MINUTE + i * 500L);
      pendingRejections.add(Map.entry(send(rejected, Topics.VOTES_REJECTED, voteId, rejection), rejection));
    }
  }

  /** Waits until the broker acknowledged everything sent: a silently failed send would void every assertion. */
  void flush() {
    for (KafkaProducer<?, ?> producer : List.of(bands, albums, minutes, stats, accepted, rejected)) {
      producer.flush();
    }
    try {
      for (Future<RecordMetadata> sent : pending) {
        sent.get(10, TimeUnit.SECONDS);
      }
      for (Map.Entry<Future<RecordMetadata>, RejectedVote> sent : pendingRejections) {
        RecordMetadata at = sent.getKey().get(10, TimeUnit.SECONDS);
        rejections.put(MongoVoteSink.rejectedId(at.partition(), at.offset()), sent.getValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("a send failed", e);
    }
    pending.clear();
    pendingRejections.clear();
  }

  int tallyRecords() {
    return tallyRecords;
  }

  int voteCount() {
    return votes.size();
  }

  int rejectionCount() {
    return rejections.size();
  }

  /**
   * The Redis state the sinks must reach, in {@link ItSupport#redisState} form without guards and
   * without {@code updatedAt}: every hash field the newest value, the stream the hashes pivoted.
   */
  Map<String, Object> expectedRedis() {
    Map<String, Object> state = new TreeMap<>();
    putHash(state, RedisKeys.BAND_TOTALS, text(bandTotals));
    TreeMap<String, String> albumTotals = new TreeMap<>();
    TreeMap<String, String> albumStats = new TreeMap<>();
    albumTallies.forEach(
        (key, tally) -> {
          albumTotals.put(key.label(), Long.toString(tally.count()));
          try {
            albumStats.put(key.label(), RedisTallySink.albumStatsJson(key, tally));
          } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
          }
        });
    putHash(state, RedisKeys.ALBUM_TOTALS, albumTotals);
    putHash(state, RedisKeys.ALBUM_STATS, albumStats);
    Map<String, Map<String, String>> timelines = new TreeMap<>();
    minuteCounts.forEach(
        (key, count) ->
            timelines.computeIfAbsent(key.band(), b -> new TreeMap<>()).put(Timeline.field(key.minuteStart()), count.toString()));
    timelines.forEach((band, fields) -> putHash(state, RedisKeys.bandMinutes(band), new TreeMap<>(fields)));
    // The stats hash always exists once anything was written: it carries updatedAt.
    state.put(RedisKeys.STATS, text(statValues));
    SortedMap<Long, SortedMap<String, String>> stream = Timeline.streamOf(timelines, MAX_MINUTES);
    if (!stream.isEmpty()) {
      LinkedHashMap<String, LinkedHashMap<String, String>> entries = new LinkedHashMap<>();
      stream.forEach((minute, fields) -> entries.put(Timeline.entryId(minute), new LinkedHashMap<>(fields)));
      state.put(RedisKeys.TIMELINE_STREAM, entries);
    }
    return state;
  }

  private static void putHash(Map<String, Object> state, String key, TreeMap<String, String> fields) {
    if (!fields.isEmpty()) { // Redis has no empty hashes
      state.put(key, fields);
    }
  }

  private static TreeMap<String, String> text(Map<String, Long> values) {
    TreeMap<String, String> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(k, v.toString()));
    return out;
  }

  /** The log in MongoDB is exactly what was sent: every vote once by voteId, every rejection once by position. */
  void assertMongo(MongoDatabase db) {
    Map<Object, Document> storedVotes = new HashMap<>();
    db.getCollection(MongoNames.VOTES).find().forEach(d -> storedVotes.put(d.get("_id"), d));
    assertThat(storedVotes).hasSize(votes.size());
    votes.forEach((id, vote) -> assertThat(storedVotes.get(id)).as("vote " + id).isEqualTo(MongoVoteSink.toBson(vote).decode(new DocumentCodec())));
    Map<Object, Document> storedRejections = new HashMap<>();
    db.getCollection(MongoNames.REJECTED).find().forEach(d -> storedRejections.put(d.get("_id"), d));
    assertThat(storedRejections).hasSize(rejections.size());
    rejections.forEach(
        (id, rejection) -> {
          Document doc = storedRejections.get(id);
          assertThat(doc).as("rejection " + id).isNotNull();
          assertThat(doc.getString("voteId")).isEqualTo(rejection.voteId());
          assertThat(doc.getString("reason")).isEqualTo(rejection.reason());
          assertThat(doc.getString("detail")).isEqualTo(rejection.detail());
          assertThat(doc.getString("raw")).isEqualTo(rejection.raw());
          assertThat(doc.get("rejectedAt")).isEqualTo(new Date(rejection.rejectedAt()));
        });
  }

  @Override
  public void close() {
    for (KafkaProducer<?, ?> producer : List.of(bands, albums, minutes, stats, accepted, rejected)) {
      producer.close();
    }
  }
}
