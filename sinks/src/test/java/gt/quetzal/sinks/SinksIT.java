package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.devstack.Devstack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The sinks on the devstack's real Kafka broker and real Redis. MongoDB is the devstack's in-process
 * stand-in (mongo-java-server): same wire protocol and duplicate-key errors, but no replication, so
 * "majority" is trivially met, and secondary indexes are accepted yet ignored.
 */
class SinksIT {

  private static final int VOTES = 300;

  private static Devstack stack;
  private static RedisClient redis;
  private static MongoClient mongo;

  private static final Map<String, Long> FINAL_TOTALS = new LinkedHashMap<>();
  private static final List<VoteEvent> SENT = new ArrayList<>();

  @BeforeAll
  static void startStackAndProduce() {
    stack = Devstack.startEphemeral();
    redis = RedisClient.create(java.net.URI.create(stack.redisUrl()));
    mongo = MongoClients.create(stack.mongoUri());

    // Several absolute updates per band, as the streams app emits them; the last one is the truth.
    String[] bands = {"Alux Nahual", "Malacates Trébol Shop", "Bohemia Suburbana", "Viernes Verde", "Ángeles del Infierno"};
    try (KafkaProducer<String, Long> tallies = ItSupport.producer(stack.bootstrapServers(), Topics.TALLIES_BANDS)) {
      for (int round = 1; round <= 20; round++) {
        for (int b = 0; b < bands.length; b++) {
          long total = round * 10L + b;
          ItSupport.send(tallies, Topics.TALLIES_BANDS, bands[b], total);
          FINAL_TOTALS.put(bands[b], total);
        }
      }
    }
    abortedTallyFor("Alux Nahual", 999_999L);

    String[] albums = {"Alux Nahual", "Niño Dios", "Bohemia Suburbana", "Marca Registrada", "Ciudad de Guatemala"};
    try (KafkaProducer<String, VoteEvent> votes = ItSupport.producer(stack.bootstrapServers(), Topics.VOTES_ACCEPTED)) {
      long base = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
      for (int i = 0; i < VOTES; i++) {
        VoteEvent vote =
            new VoteEvent(
                String.format("0190a0b0-0000-7000-8000-%012d", i),
                bands[i % bands.length],
                albums[i % albums.length],
                1980 + i % 40,
                1 + i % 100,
                i % 3 == 0 ? "votante-" + i : null,
                i % 2 == 0 ? VoteEvent.CHANNEL_HTTP : VoteEvent.CHANNEL_GRPC,
                base + i * 1_000L);
        ItSupport.send(votes, Topics.VOTES_ACCEPTED, vote.voteId(), vote);
        SENT.add(vote);
      }
    }
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

  private static MongoCollection<BsonDocument> votes() {
    return mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES, BsonDocument.class);
  }

  private static Map<String, Long> redisTotals() {
    Map<String, Long> totals = new LinkedHashMap<>();
    redis.hgetAll(RedisKeys.BAND_TOTALS).forEach((band, total) -> totals.put(band, Long.parseLong(total)));
    return totals;
  }

  private static List<BsonDocument> allVotes() {
    return votes().find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
  }

  @Test
  void mirrorsExactlyAndAReplayFromOffsetZeroChangesNothing() {
    List<BsonDocument> firstRun;
    Map<String, Long> firstTotals;
    long firstUpdatedAt;

    try (SinksMain.Running sinks =
        SinksMain.start(ItSupport.config(stack.bootstrapServers(), stack.redisUrl(), stack.mongoUri()))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                assertThat(redisTotals()).isEqualTo(FINAL_TOTALS);
                assertThat(votes().countDocuments()).isEqualTo(VOTES);
              });
      await().atMost(Duration.ofSeconds(10)).until(() -> ItSupport.get(sinks.httpPort(), "/readyz").status() == 200);
      assertThat(ItSupport.get(sinks.httpPort(), "/healthz").body()).isEqualTo("ok");

      firstRun = allVotes();
      firstTotals = redisTotals();
      firstUpdatedAt = Long.parseLong(redis.hget(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT));
    }

    // The aborted 999999 never shows; every vote is stored once, with its exact fields.
    assertThat(firstTotals).doesNotContainValue(999_999L);
    assertThat(firstUpdatedAt).isPositive();
    assertThat(firstRun).hasSize(VOTES);
    for (int i = 0; i < VOTES; i++) {
      VoteEvent sent = SENT.get(i);
      BsonDocument doc = firstRun.get(i);
      assertThat(doc.getString("_id").getValue()).isEqualTo(sent.voteId());
      assertThat(doc.getString("name").getValue()).isEqualTo(sent.name());
      assertThat(doc.getString("album").getValue()).isEqualTo(sent.album());
      assertThat(doc.getInt32("year").getValue()).isEqualTo(sent.year());
      assertThat(doc.getInt32("rank").getValue()).isEqualTo(sent.rank());
      assertThat(doc.getString("channel").getValue()).isEqualTo(sent.channel());
      BsonValue receivedAt = doc.get("receivedAt");
      assertThat(receivedAt.isDateTime()).as("receivedAt is a BSON date").isTrue();
      assertThat(receivedAt.asDateTime().getValue()).isEqualTo(sent.receivedAt());
      if (sent.voterId() == null) {
        assertThat(doc.containsKey("voterId")).isFalse();
      } else {
        assertThat(doc.getString("voterId").getValue()).isEqualTo(sent.voterId());
      }
    }
    assertThat(firstRun)
        .extracting(d -> d.getString("name").getValue())
        .contains("Malacates Trébol Shop", "Ángeles del Infierno");
    assertThat(firstRun)
        .extracting(d -> d.getString("album").getValue())
        .contains("Niño Dios");

    // Replay: a new consumer group reads both topics from offset 0 into the same stores.
    try (SinksMain.Running replay =
        SinksMain.start(ItSupport.config(stack.bootstrapServers(), stack.redisUrl(), stack.mongoUri()))) {
      // Every replayed vote was found already stored (duplicate key), so nothing was inserted twice.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> ItSupport.metric(replay.httpPort(), "quetzal_sink_duplicates_total{store=\"mongo\"}") == VOTES);
      // All 100 committed tally records went through the Redis sink again (the aborted one never arrives).
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ItSupport.metric(replay.httpPort(), "quetzal_sink_records_written_total{store=\"redis\"}")
                      == FINAL_TOTALS.size() * 20);
      assertThat(Long.parseLong(redis.hget(RedisKeys.STATS, RedisKeys.STAT_UPDATED_AT))).isGreaterThanOrEqualTo(firstUpdatedAt);

      assertThat(redisTotals()).isEqualTo(firstTotals);
      assertThat(allVotes()).isEqualTo(firstRun);
      assertThat(votes().countDocuments()).isEqualTo(VOTES);
    }
  }
}
