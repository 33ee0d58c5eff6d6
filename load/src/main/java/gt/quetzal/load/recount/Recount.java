package gt.quetzal.load.recount;

import com.mongodb.client.MongoDatabase;
import java.util.List;
import java.util.function.Supplier;
import redis.clients.jedis.UnifiedJedis;

/**
 * Recounts every aggregate twice, from Kafka's vote log and from MongoDB's, and holds both against
 * Redis. All three are read again until they agree or {@code attempts} run out (Kafka reads on from
 * where it stopped), so a recount started while the pipeline finishes its last votes does not
 * report a difference that a second later is gone.
 */
public final class Recount {

  /** The outcome: each source's comparison with Redis, and what may make the Kafka count partial. */
  public record Verdict(
      List<Comparison.Line> kafka, List<Comparison.Line> mongo, List<String> gaps, Aggregates fromKafka) {

    public boolean agrees() {
      return gaps.isEmpty() && kafka.stream().allMatch(Comparison.Line::agrees)
          && mongo.stream().allMatch(Comparison.Line::agrees);
    }
  }

  private final Supplier<KafkaRecount.Result> kafka;
  private final MongoRecount mongo;
  private final UnifiedJedis redis;

  public Recount(KafkaRecount kafka, MongoDatabase mongo, UnifiedJedis redis) {
    this(kafka::recount, new MongoRecount(mongo), redis);
  }

  Recount(Supplier<KafkaRecount.Result> kafka, MongoRecount mongo, UnifiedJedis redis) {
    this.kafka = kafka;
    this.mongo = mongo;
    this.redis = redis;
  }

  /**
   * @param attempts how many times Redis and MongoDB are read at most (at least 1)
   * @param pause    called between attempts; it may throw to stop early
   */
  public Verdict run(int attempts, Runnable pause) {
    Verdict verdict = null;
    for (int attempt = 1; attempt <= Math.max(attempts, 1); attempt++) {
      if (attempt > 1) {
        pause.run();
      }
      KafkaRecount.Result log = kafka.get();
      RedisView served = RedisView.read(redis);
      verdict =
          new Verdict(
              Comparison.compare(log.aggregates(), served, true),
              Comparison.compare(mongo.recount(), served, false),
              log.gaps(),
              log.aggregates());
      if (verdict.agrees()) {
        break;
      }
    }
    return verdict;
  }
}
