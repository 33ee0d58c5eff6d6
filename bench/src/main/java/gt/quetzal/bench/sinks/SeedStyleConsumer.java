package gt.quetzal.bench.sinks;

import com.mongodb.client.MongoCollection;
import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.bson.Document;
import redis.clients.jedis.Jedis;

/**
 * The seed's consumer design, rebuilt as the baseline: for every vote of {@code votes.accepted}, one
 * {@code HINCRBY} on a band-totals hash, one on an album hash (each its own round trip, no pipeline) and
 * one {@code insertOne}; offsets auto-committed every 5 s. It writes under its own key prefix and Redis
 * database and its own Mongo database so it never touches Quetzal's keys.
 */
final class SeedStyleConsumer implements Runnable {

  static final String BANDS_KEY = "seed:tally:bands";
  static final String ALBUMS_KEY = "seed:tally:albums";

  private final String bootstrapServers;
  private final Jedis redis;
  private final MongoCollection<Document> votes;
  private final long target;
  private final AtomicLong processed = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private volatile Throwable failure;

  SeedStyleConsumer(String bootstrapServers, Jedis redis, MongoCollection<Document> votes, long target) {
    this.bootstrapServers = bootstrapServers;
    this.redis = redis;
    this.votes = votes;
    this.target = target;
  }

  @Override
  public void run() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-seed-style");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, VoteEvent> consumer =
        new KafkaConsumer<>(
            props,
            Topics.VOTES_ACCEPTED.keySerde().deserializer(),
            Topics.VOTES_ACCEPTED.valueSerde().deserializer())) {
      consumer.subscribe(List.of(Topics.VOTES_ACCEPTED.name()));
      while (!stop.get() && processed.get() < target) {
        for (ConsumerRecord<String, VoteEvent> record : consumer.poll(Duration.ofMillis(200))) {
          VoteEvent vote = record.value();
          redis.hincrBy(BANDS_KEY, vote.name(), 1);
          redis.hincrBy(ALBUMS_KEY, new AlbumKey(vote.name(), vote.album()).label(), 1);
          votes.insertOne(
              new Document("_id", vote.voteId())
                  .append("name", vote.name())
                  .append("album", vote.album())
                  .append("year", vote.year())
                  .append("rank", vote.rank())
                  .append("channel", vote.channel())
                  .append("receivedAt", vote.receivedAt()));
          processed.incrementAndGet();
        }
      }
    } catch (RuntimeException | Error e) {
      failure = e;
    }
  }

  long processed() {
    return processed.get();
  }

  Throwable failure() {
    return failure;
  }

  void stop() {
    stop.set(true);
  }
}
