package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.devstack.Devstack;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/**
 * The sinks on the devstack's real Kafka broker and real Redis. MongoDB is the devstack's in-process
 * stand-in (mongo-java-server): same wire protocol and duplicate-key errors, but no replication, so
 * "majority" is trivially met, and secondary indexes are accepted yet ignored.
 */
class SinksIT {

  private static Devstack stack;
  private static RedisClient redis;
  private static MongoClient mongo;
  private static Traffic traffic;

  @BeforeAll
  static void startStackAndProduce() {
    stack = Devstack.startEphemeral();
    redis = RedisClient.create(URI.create(stack.redisUrl()));
    mongo = MongoClients.create(stack.mongoUri());
    traffic = new Traffic(stack.bootstrapServers());
    // Several absolute updates per key on every tally topic, as the streams app emits them.
    for (int round = 1; round <= 12; round++) {
      traffic.tallyRound(round);
    }
    traffic.tombstones();
    traffic.votes(0, 300);
    traffic.rejections(0, 60);
    traffic.flush();
    abortedTallyFor("Alux Nahual", 999_999L);
  }

  /** A transactional write that is aborted: read_committed sinks must never mirror it. */
  private static void abortedTallyFor(String band, long total) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sinks-it-aborted");
    try (KafkaProducer<String, Long> producer =
        new KafkaProducer<>(
            props, Topics.TALLIES_BANDS.keySerde().serializer(), Topics.TALLIES_BANDS.valueSerde().serializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(Topics.TALLIES_BANDS.name(), band, total));
      producer.flush();
      producer.abortTransaction();
    }
  }

  @AfterAll
  static void stop() {
    if (traffic != null) {
      traffic.close();
    }
    if (mongo != null) {
      mongo.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static MongoDatabase db() {
    return mongo.getDatabase(MongoNames.DATABASE);
  }

  private static Map<String, List<Document>> mongoState() {
    return Map.of(
        MongoNames.VOTES, db().getCollection(MongoNames.VOTES).find().sort(Sorts.ascending("_id")).into(new ArrayList<>()),
        MongoNames.REJECTED, db().getCollection(MongoNames.REJECTED).find().sort(Sorts.ascending("_id")).into(new ArrayList<>()));
  }

  private static SinksMain.Running startSinks() {
    return SinksMain.start(ItSupport.config(stack.bootstrapServers(), stack.redisUrl(), stack.mongoUri()));
  }

  /** Waits for the exact mirror: every Redis key and every MongoDB document. */
  private static void awaitExactMirror() {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(ItSupport.redisState(redis, false, false)).isEqualTo(traffic.expectedRedis());
              assertThat(db().getCollection(MongoNames.VOTES).countDocuments()).isEqualTo(traffic.voteCount());
              assertThat(db().getCollection(MongoNames.REJECTED).countDocuments()).isEqualTo(traffic.rejectionCount());
            });
    traffic.assertMongo(db());
  }

  /** Counts change notifications; the test publishes a marker to know every earlier message has arrived. */
  private static final class Notes extends JedisPubSub {
    final List<String> received = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(String channel, String message) {
      received.add(message);
    }
  }

  @Test
  void mirrorsEveryTopicExactlyAndAReplayFromOffsetZeroChangesNothing() {
    Map<String, Object> firstRedis;
    Map<String, List<Document>> firstMongo;
    try (SinksMain.Running sinks = startSinks()) {
      awaitExactMirror();
      await().atMost(Duration.ofSeconds(10)).until(() -> ItSupport.get(sinks.httpPort(), "/readyz").status() == 200);
      assertThat(ItSupport.get(sinks.httpPort(), "/healthz").body()).isEqualTo("ok");
      assertThat(ItSupport.metric(sinks.httpPort(), "quetzal_sink_records_skipped_total{store=\"redis\"}")).isZero();
      firstRedis = ItSupport.redisState(redis, true, true);
      firstMongo = mongoState();
    }

    // The aborted 999999 never shows; the key schema is what the docs promise; the guard hashes exist.
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Alux Nahual")).isNotEqualTo("999999");
    assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Ricardo Arjona")).as("recounted after its tombstone").isEqualTo("2");
    assertThat(redis.type(RedisKeys.TIMELINE_STREAM)).isEqualTo("stream");
    assertThat(Long.parseLong(redis.hget(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT))).isPositive();
    assertThat(redis.hget(RedisKeys.guardOf(RedisKeys.BAND_TOTALS), "Alux Nahual")).matches("\\d+");
    assertThat(redis.hget(RedisKeys.guardOf(RedisKeys.ALBUM_TOTALS), "Ricardo Arjona — Jesús, verbo no sustantivo"))
        .as("a tombstone keeps its version")
        .matches("\\d+");
    assertThat(redis.exists(RedisKeys.bandMinutes("Ricardo Arjona"))).as("its only minute was deleted").isFalse();
    List<BsonDocument> votes =
        db().getCollection(MongoNames.VOTES, BsonDocument.class).find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
    BsonValue receivedAt = votes.get(0).get("receivedAt");
    assertThat(receivedAt.isDateTime()).as("receivedAt is a BSON date").isTrue();
    assertThat(db().getCollection(MongoNames.REJECTED, BsonDocument.class).find().first().get("rejectedAt").isDateTime())
        .isTrue();
    assertThat(votes).extracting(d -> d.getString("name").getValue()).contains("Malacates Trébol Shop", "Ángeles del Infierno");

    // Replay: a new consumer group reads every topic from offset 0 into the same stores.
    Notes notes = new Notes();
    Thread listener = new Thread(() -> redis.subscribe(notes, RedisKeys.CHANGES_CHANNEL), "notes");
    listener.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> notes.getSubscribedChannels() == 1);
    try (SinksMain.Running replay = startSinks()) {
      // Every replayed document was found already stored (duplicate key), so nothing was inserted twice.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  ItSupport.metric(replay.httpPort(), "quetzal_sink_duplicates_total{collection=\"votes\",store=\"mongo\"}")
                          == traffic.voteCount()
                      && ItSupport.metric(
                              replay.httpPort(), "quetzal_sink_duplicates_total{collection=\"rejected\",store=\"mongo\"}")
                          == traffic.rejectionCount());
      // Every committed tally record went through the Redis sink again (the aborted one never arrives)...
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ItSupport.metric(replay.httpPort(), "quetzal_sink_records_written_total{store=\"redis\"}")
                      == traffic.tallyRecords());
      // ...and the guard refused all of it: not one field, not updatedAt, not a notification changed.
      assertThat(ItSupport.metric(replay.httpPort(), "quetzal_sink_fields_written_total{store=\"redis\"}")).isZero();
      assertThat(ItSupport.metric(replay.httpPort(), "quetzal_sink_guard_refused_total{store=\"redis\"}")).isPositive();
      assertThat(ItSupport.redisState(redis, true, true)).isEqualTo(firstRedis);
      assertThat(mongoState()).isEqualTo(firstMongo);
    }
    try (RedisClient publisher = RedisClient.create(URI.create(stack.redisUrl()))) {
      publisher.publish(RedisKeys.CHANGES_CHANNEL, "marker");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> notes.received.contains("marker"));
    notes.unsubscribe();
    assertThat(notes.received).as("a replay that changes nothing announces nothing").containsExactly("marker");

    // Replay into empty stores: the mirror is a function of the topics, down to the stream's field order.
    var firstStream = ItSupport.streamEntries(redis, RedisKeys.TIMELINE_STREAM);
    redis.flushAll();
    db().drop();
    try (SinksMain.Running rebuilt = startSinks()) {
      awaitExactMirror();
      assertThat(ItSupport.redisState(redis, true, false)).isEqualTo(withoutUpdatedAt(firstRedis));
      assertThat(ItSupport.streamEntries(redis, RedisKeys.TIMELINE_STREAM).toString()).isEqualTo(firstStream.toString());
      assertThat(mongoState()).isEqualTo(firstMongo);
    }
  }

  private static Map<String, Object> withoutUpdatedAt(Map<String, Object> state) {
    Map<String, Object> copy = new java.util.TreeMap<>(state);
    var stats = new java.util.TreeMap<>((Map<?, ?>) copy.get(RedisKeys.STATS));
    stats.remove(RedisKeys.STAT_UPDATED_AT);
    copy.put(RedisKeys.STATS, stats);
    return copy;
  }

  @Test
  void theLogCollectionsHaveTheirIndexes() {
    try (SinksMain.Running sinks = startSinks()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> db().getCollection(MongoNames.REJECTED).countDocuments() > 0);
      // The stand-in lists what was declared even though it ignores it; a real MongoDB uses them.
      List<String> voteIndexes = new ArrayList<>();
      db().getCollection(MongoNames.VOTES).listIndexes().forEach(i -> voteIndexes.add(i.getString("name")));
      List<String> rejectedIndexes = new ArrayList<>();
      db().getCollection(MongoNames.REJECTED).listIndexes().forEach(i -> rejectedIndexes.add(i.getString("name")));
      assertThat(voteIndexes).contains("receivedAt_desc", "name_receivedAt_desc");
      assertThat(rejectedIndexes).contains("rejectedAt_desc", "reason_rejectedAt_desc");
    }
  }
}
