package gt.quetzal.bench.sinks;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.bench.NamedThreadsCpu;
import gt.quetzal.bench.ProcStats;
import gt.quetzal.bench.results.BenchResults;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.load.VoteSampler;
import java.io.PrintStream;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;
import org.bson.Document;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * {@code ./quetzal bench sinks}: the seed's consumer design against Quetzal's streams app + sinks, on the
 * same N votes, in one run, on one devstack (real broker, real Redis, the in-memory MongoDB stand-in).
 *
 * <ol>
 *   <li><b>Quetzal</b>: streams app and sinks started (production wiring), then N votes produced to
 *       {@code votes.raw}; timed from the first send until the Redis band totals sum to N and the
 *       {@code quetzal.votes} collection holds N documents. Includes validation, dedup, all tallies,
 *       the transactions and both sinks.
 *   <li><b>Seed-style</b>: {@link SeedStyleConsumer} reads the same N votes, already waiting on
 *       {@code votes.accepted}; timed from its start until its own hashes sum to N and its own
 *       collection holds N documents. Includes only the consumer and its writes.
 *   <li><b>Freshness</b>: votes at a steady rate into {@code votes.raw}, one of a probe band every
 *       few ms; a probe is visible once {@code HGET quetzal:tally:bands <probe band>} reaches its number.
 * </ol>
 *
 * Redis commands come from {@code INFO commandstats}, reset before each phase; the benchmark's own
 * commands (INFO, CONFIG, HVALS, connection set-up) are left out. Speed is reported, never asserted.
 */
public final class SinksBench {

  /** Added to the catalog the bench applies, so the probe's votes count like the others. */
  static final String PROBE_BAND = "Zz Probe Band";
  static final String PROBE_ALBUM = "Probe";
  static final int SEED_REDIS_DB = 1;
  static final String SEED_MONGO_DB = "seedbench";

  /** Commands the mirror script runs inside Redis (counted by commandstats under their own names). */
  static final Predicate<String> SCRIPT_INNER =
      c -> !c.equals("evalsha") && !c.equals("eval") && !c.startsWith("script");

  private SinksBench() {}

  public static void main(String[] args) throws Exception {
    SinksBenchConfig config = SinksBenchConfig.fromEnv(System.getenv());
    Catalog catalog = Catalog.load(config.catalogFile());
    PrintStream out = System.out;
    BenchResults json = new BenchResults("sinks", System.getenv());
    String loadBefore = ProcStats.loadAveragesText();
    out.printf(
        Locale.ROOT,
        "quetzal bench sinks: %s, %d cores, %d GiB RAM, Java %s, load average %s; %,d votes%n",
        OffsetDateTime.now(ZoneOffset.UTC).withNano(0),
        Runtime.getRuntime().availableProcessors(),
        ProcStats.totalMemoryGib(),
        System.getProperty("java.version"),
        loadBefore,
        config.votes());

    // A catalog contest, as the figures in docs/benchmarks.md were taken (an open contest adds a
    // repartition per vote); the probe band joins it.
    List<Catalog.Band> bands = new ArrayList<>(catalog.bands());
    bands.add(new Catalog.Band(PROBE_BAND, List.of(new Catalog.Album(PROBE_ALBUM, 2020))));
    try (InProcessStack stack = InProcessStack.builder()
            .contest(new Catalog(catalog.contest(), bands))
            .streams("APPLICATION_ID", "bench-streams")
            .sinks("GROUP_ID", "bench-sinks")
            .start();
        Jedis watch = jedis(stack.redisUrl(), 0);
        Jedis seedRedis = jedis(stack.redisUrl(), SEED_REDIS_DB);
        MongoClient mongo = MongoClients.create(stack.mongoUri());
        RawVoteSender sender = new RawVoteSender(stack.bootstrapServers())) {
      String redisVersion = watch.info("server").lines()
          .filter(l -> l.startsWith("redis_version:")).findFirst().orElse("redis_version:?");
      out.println("devstack: Kafka broker in process, " + redisVersion.replace(':', ' ')
          + " (Debian redis-server), MongoDB stand-in mongo-java-server in memory");
      long n = config.votes();
      VoteSampler sampler = new VoteSampler(catalog, 1.0, new Random(42));
      MongoCollection<Document> quetzalVotes =
          mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES);

      // ---- Phase 1: Quetzal, votes.raw → streams app → sinks → Redis + MongoDB.
      out.printf(Locale.ROOT, "phase 1: Quetzal (streams app + sinks) on %,d votes from votes.raw ...%n", n);
      watch.configResetStat();
      CommandStats q0 = CommandStats.parse(watch.info("commandstats"));
      NamedThreadsCpu sinksCpu = NamedThreadsCpu.start(SINKS_THREADS);
      long qStart = System.nanoTime();
      for (long i = 0; i < n; i++) {
        sender.send(RawVoteSender.vote(sampler.next()));
      }
      sender.flush();
      double produceSeconds = seconds(System.nanoTime() - qStart);
      Consistency qDone =
          Consistency.await(n, () -> hashSum(watch, RedisKeys.BAND_TOTALS),
              quetzalVotes::estimatedDocumentCount, qStart, config.timeoutSeconds());
      long sinksNanos = sinksCpu.nanos();
      CommandStats q = CommandStats.parse(watch.info("commandstats")).minus(q0);
      out.printf(Locale.ROOT, "  produced in %.1f s; consistent (%s)%n", produceSeconds, qDone);
      out.println("  Redis commands: " + q.describe(c -> !CommandStats.isBenchOwn(c)));

      // ---- Phase 2: the seed's design on the same votes, read back from votes.accepted.
      out.printf(Locale.ROOT, "phase 2: seed-style consumer on the same %,d votes from votes.accepted ...%n", n);
      MongoCollection<Document> seedVotes = mongo.getDatabase(SEED_MONGO_DB).getCollection("votes");
      watch.configResetStat();
      CommandStats s0 = CommandStats.parse(watch.info("commandstats"));
      SeedStyleConsumer seed = new SeedStyleConsumer(stack.bootstrapServers(), seedRedis, seedVotes, n);
      Thread seedThread = new Thread(seed, "seed-style-consumer");
      long sStart = System.nanoTime();
      seedThread.start();
      Consistency sDone;
      try {
        sDone = Consistency.await(n, () -> seed.failure() != null ? -1 : hashSumDb(watch, SEED_REDIS_DB),
            seedVotes::estimatedDocumentCount, sStart, config.timeoutSeconds());
      } finally {
        seed.stop();
        seedThread.join(10_000);
      }
      if (seed.failure() != null) {
        throw new IllegalStateException("seed-style consumer failed", seed.failure());
      }
      CommandStats s = CommandStats.parse(watch.info("commandstats")).minus(s0);
      out.printf(Locale.ROOT, "  consistent (%s)%n", sDone);
      out.println("  Redis commands: " + s.describe(c -> !CommandStats.isBenchOwn(c)));

      // ---- Phase 3: freshness of Quetzal's path at a steady rate. The seed side's documents are no
      // longer needed; they sit in this JVM's heap (the stand-in is in memory), and full collections
      // over them would show up as the tail of Quetzal's freshness.
      seedVotes.drop();
      System.gc();
      out.printf(Locale.ROOT, "phase 3: freshness at %,d votes/s for %d s, a probe vote every %d ms ...%n",
          config.freshnessRate(), config.freshnessSeconds(), config.probeEveryMs());
      // P4 in the steady state too: the commands per vote while votes arrive at the freshness rate.
      watch.configResetStat();
      CommandStats f0 = CommandStats.parse(watch.info("commandstats"));
      Freshness fresh = Freshness.measure(config, stack.bootstrapServers(), sender, sampler, jedis(stack.redisUrl(), 0));
      CommandStats f = CommandStats.parse(watch.info("commandstats")).minus(f0);
      out.println("  Redis commands: " + f.describe(c -> !CommandStats.isBenchOwn(c)));

      report(out, n, q, s, qDone, sDone, fresh);
      double steady = (double) f.designTotal() / fresh.sent();
      double seedPerVote = (double) s.designTotal() / n;
      out.printf(Locale.ROOT,
          "steady state (%,.0f votes/s): %.4f Redis commands per vote (script-inner included), %.0f× fewer than the seed's %.4f%n",
          fresh.votesPerSec(), steady, seedPerVote / steady, seedPerVote);
      out.printf(Locale.ROOT, "sinks' own threads (poll, write, heartbeat): %.1f µs of CPU per vote in phase 1%n", sinksNanos / 1e3 / n);
      out.println("load average at the end: " + ProcStats.loadAveragesText());
      results(json, n, q, s, qDone, sDone, fresh, sinksNanos, f).write(config.resultsDir(), out);
    }
    System.exit(0);
  }

  /**
   * The sinks' threads: each loop polls and writes on its own thread ({@code sink-redis},
   * {@code sink-mongo}); the classic consumer's heartbeat thread carries the group id.
   */
  static final Predicate<String> SINKS_THREADS = name -> name.startsWith("sink-") || name.endsWith("| bench-sinks");

  /**
   * sinks.json. The sinks' CPU per vote counts their own threads only (not Redis, not the MongoDB
   * stand-in, not the streams app that shares this JVM); the rate is the whole path's, which the
   * streams app bounds (docs/benchmarks.md).
   */
  private static BenchResults results(BenchResults results,
      long n, CommandStats q, CommandStats s, Consistency qDone, Consistency sDone, Freshness fresh, long sinksNanos,
      CommandStats steady) {
    ObjectNode quetzal = results.add("sinks", "redis+mongodb");
    quetzal.put("votes", n);
    BenchResults.putNumber(quetzal, "votesPerSec", n / qDone.seconds());
    BenchResults.putNumber(quetzal, "cpuUsPerVote", sinksNanos / 1e3 / n);
    BenchResults.putNumber(quetzal, "redisCommandsPerVote", (double) q.designTotal() / n);
    BenchResults.putNumber(quetzal, "redisClientCallsPerVote", (double) q.clientIssued(SCRIPT_INNER) / n);
    quetzal.put("freshnessP50Ms", fresh.redis().at(50));
    quetzal.put("freshnessP99Ms", fresh.redis().at(99));
    quetzal.put("freshnessMaxMs", fresh.redis().max());
    quetzal.put("freshnessProbes", fresh.redis().count());
    BenchResults.putNumber(quetzal, "freshnessVotesPerSec", fresh.votesPerSec());
    BenchResults.putNumber(quetzal, "steadyRedisCommandsPerVote", (double) steady.designTotal() / fresh.sent());
    ObjectNode seed = results.add("seed-style", "hincrby+insertOne");
    seed.put("votes", n);
    BenchResults.putNumber(seed, "votesPerSec", n / sDone.seconds());
    BenchResults.putNumber(seed, "redisCommandsPerVote", (double) s.designTotal() / n);
    return results;
  }

  /** The comparison table of docs/benchmarks.md, then the freshness percentiles. */
  private static void report(
      PrintStream out, long n, CommandStats q, CommandStats s, Consistency qDone, Consistency sDone, Freshness fresh) {
    double qSeconds = qDone.seconds();
    double sSeconds = sDone.seconds();
    double qAll = (double) q.designTotal() / n;
    double qClient = (double) q.clientIssued(SCRIPT_INNER) / n;
    double sAll = (double) s.designTotal() / n;
    out.println();
    out.printf(Locale.ROOT, "| | seed-style consumer | Quetzal streams app + sinks | ratio | target |%n");
    out.printf(Locale.ROOT, "|---|---|---|---|---|%n");
    out.printf(Locale.ROOT, "| Redis commands per vote, all (script-inner included) | %.4f | %.6f | %.0f× fewer | ≥ 10× fewer |%n",
        sAll, qAll, sAll / qAll);
    out.printf(Locale.ROOT, "| Redis commands per vote, sent by the client | %.4f | %.6f | %.0f× fewer | |%n",
        sAll, qClient, sAll / qClient);
    out.printf(Locale.ROOT, "| throughput (votes/s, N / time to consistent) | %,.0f | %,.0f | %.1f× | ≥ 3× |%n",
        n / sSeconds, n / qSeconds, sSeconds / qSeconds);
    out.printf(Locale.ROOT, "| time until Redis and MongoDB consistent (s) | %.1f | %.1f | | |%n",
        sSeconds, qSeconds);
    out.printf(Locale.ROOT, "| Redis consistent after (s) | %.1f | %.1f | | |%n",
        sDone.redisSeconds(), qDone.redisSeconds());
    out.printf(Locale.ROOT, "| MongoDB consistent after (s) | %.1f | %.1f | | |%n",
        sDone.mongoSeconds(), qDone.mongoSeconds());
    out.println();
    out.printf(Locale.ROOT, "freshness (accepted → visible in Redis), %d probes: p50 %d ms, p99 %d ms, max %d ms (target p99 ≤ 200 ms)%n",
        fresh.redis().count(), fresh.redis().at(50), fresh.redis().at(99), fresh.redis().max());
    out.printf(Locale.ROOT, "  of which accepted → committed in tallies.bands (streams app): p50 %d ms, p99 %d ms, max %d ms%n",
        fresh.kafka().at(50), fresh.kafka().at(99), fresh.kafka().max());
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private static Jedis jedis(String url, int db) {
    URI uri = URI.create(url);
    return new Jedis(new HostAndPort(uri.getHost(), uri.getPort()),
        DefaultJedisClientConfig.builder().database(db).timeoutMillis(10_000).build());
  }

  /** HVALS, not HGETALL or HGET: the mirror script never calls it, so it is told apart in commandstats. */
  private static long hashSum(Jedis jedis, String key) {
    long sum = 0;
    for (String v : jedis.hvals(key)) {
      sum += Long.parseLong(v);
    }
    return sum;
  }

  private static long hashSumDb(Jedis watch, int db) {
    watch.select(db);
    try {
      return hashSum(watch, SeedStyleConsumer.BANDS_KEY);
    } finally {
      watch.select(0);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

}
