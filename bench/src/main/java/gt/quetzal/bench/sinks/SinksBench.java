package gt.quetzal.bench.sinks;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.load.VoteSampler;
import gt.quetzal.sinks.SinksConfig;
import gt.quetzal.sinks.SinksMain;
import gt.quetzal.streams.runtime.StreamsAppConfig;
import gt.quetzal.streams.runtime.StreamsMain;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.concurrent.locks.LockSupport;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
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
    String loadBefore = loadAverage();
    out.printf(
        Locale.ROOT,
        "quetzal bench sinks: %s, %d cores, %d GiB RAM, Java %s, load average %s; %,d votes%n",
        OffsetDateTime.now(ZoneOffset.UTC).withNano(0),
        Runtime.getRuntime().availableProcessors(),
        totalMemoryGib(),
        System.getProperty("java.version"),
        loadBefore,
        config.votes());

    Path stateDir = Files.createTempDirectory("bench-sinks-streams");
    try (Devstack stack = Devstack.startEphemeral();
        Jedis watch = jedis(stack.redisUrl(), 0);
        Jedis seedRedis = jedis(stack.redisUrl(), SEED_REDIS_DB);
        MongoClient mongo = MongoClients.create(stack.mongoUri());
        KafkaProducer<String, VoteEvent> producer = producer(stack.bootstrapServers())) {
      String redisVersion = watch.info("server").lines()
          .filter(l -> l.startsWith("redis_version:")).findFirst().orElse("redis_version:?");
      out.println("devstack: Kafka broker in process, " + redisVersion.replace(':', ' ')
          + " (Debian redis-server), MongoDB stand-in mongo-java-server in memory");

      // A catalog contest, as the figures in docs/benchmarks.md were taken (an open contest adds a
      // repartition per vote); the probe band joins it.
      List<Catalog.Band> bands = new ArrayList<>(catalog.bands());
      bands.add(new Catalog.Band(PROBE_BAND, List.of(new Catalog.Album(PROBE_ALBUM, 2020))));
      stack.applyContest(new Catalog(catalog.contest(), bands));
      Map<String, String> streamsEnv = new HashMap<>();
      streamsEnv.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
      streamsEnv.put("APPLICATION_ID", "bench-streams");
      streamsEnv.put("STATE_DIR", stateDir.toString());
      streamsEnv.put("HTTP_PORT", "0");
      Map<String, String> sinksEnv = new HashMap<>();
      sinksEnv.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
      sinksEnv.put("REDIS_URL", stack.redisUrl());
      sinksEnv.put("MONGO_URI", stack.mongoUri());
      sinksEnv.put("HTTP_PORT", "0");
      sinksEnv.put("GROUP_ID", "bench-sinks");

      try (StreamsMain.Running streams = StreamsMain.start(StreamsAppConfig.fromEnv(streamsEnv));
          SinksMain.Running sinks = SinksMain.start(SinksConfig.fromEnv(sinksEnv))) {
        await("streams app RUNNING", 120, () -> streams.streams().state() == KafkaStreams.State.RUNNING);
        long n = config.votes();
        VoteSampler sampler = new VoteSampler(catalog, 1.0, new Random(42));
        MongoCollection<Document> quetzalVotes =
            mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES);

        // ---- Phase 1: Quetzal, votes.raw → streams app → sinks → Redis + MongoDB.
        out.printf(Locale.ROOT, "phase 1: Quetzal (streams app + sinks) on %,d votes from votes.raw ...%n", n);
        watch.configResetStat();
        CommandStats q0 = CommandStats.parse(watch.info("commandstats"));
        long qStart = System.nanoTime();
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        for (long i = 0; i < n; i++) {
          send(producer, vote(sampler.next()), sendFailure);
        }
        producer.flush();
        failIfSet(sendFailure);
        double produceSeconds = seconds(System.nanoTime() - qStart);
        Consistency qDone =
            awaitConsistent(n, () -> hashSum(watch, RedisKeys.BAND_TOTALS),
                quetzalVotes::estimatedDocumentCount, qStart, config.timeoutSeconds());
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
          sDone = awaitConsistent(n, () -> seed.failure() != null ? -1 : hashSumDb(watch, SEED_REDIS_DB),
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
        Freshness fresh = freshness(config, stack.bootstrapServers(), producer, sampler, jedis(stack.redisUrl(), 0));

        // ---- Report.
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
        out.printf(Locale.ROOT, "freshness (accepted → visible in Redis), %d probes: p50 %d ms, p99 %d ms, max %d ms (target p99 ≤ 500 ms)%n",
            fresh.redis().count(), fresh.redis().at(50), fresh.redis().at(99), fresh.redis().max());
        out.printf(Locale.ROOT, "  of which accepted → committed in tallies.bands (streams app): p50 %d ms, p99 %d ms, max %d ms%n",
            fresh.kafka().at(50), fresh.kafka().at(99), fresh.kafka().max());
        out.println("load average at the end: " + loadAverage());
      }
    }
    System.exit(0);
  }

  // ---- phases ----------------------------------------------------------------------------------

  /** When each store first matched N, measured from {@code start}. */
  record Consistency(double redisSeconds, double mongoSeconds) {
    double seconds() {
      return Math.max(redisSeconds, mongoSeconds);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "Redis after %.1f s, MongoDB after %.1f s", redisSeconds, mongoSeconds);
    }
  }

  private static Consistency awaitConsistent(
      long n, LongSupplier redisSum, LongSupplier mongoCount, long start, int timeoutSeconds) {
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    double redisAt = -1;
    double mongoAt = -1;
    long lastPrint = System.nanoTime();
    while (redisAt < 0 || mongoAt < 0) {
      long r = redisAt < 0 ? redisSum.getAsLong() : n;
      long m = mongoAt < 0 ? mongoCount.getAsLong() : n;
      long now = System.nanoTime();
      if (r < 0) {
        throw new IllegalStateException("writer failed");
      }
      if (redisAt < 0 && r >= n) {
        redisAt = seconds(now - start);
      }
      if (mongoAt < 0 && m >= n) {
        mongoAt = seconds(now - start);
      }
      if (now > deadline) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "not consistent after %d s: Redis sum %d, MongoDB count %d of %d", timeoutSeconds, r, m, n));
      }
      if (now - lastPrint > TimeUnit.SECONDS.toNanos(15)) {
        System.out.printf(Locale.ROOT, "  ... %.0f s: Redis %,d, MongoDB %,d of %,d%n", seconds(now - start), r, m, n);
        lastPrint = now;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    return new Consistency(redisAt, mongoAt);
  }

  /**
   * Sends at a steady rate (paced every millisecond), every {@code probeEveryMs} one vote of the probe
   * band; a watcher reads the probe band's total every millisecond and stamps each probe number it reaches.
   */
  /** Per probe: when its band total reached Redis, and when it was first committed in tallies.bands. */
  record Freshness(Percentiles redis, Percentiles kafka) {}

  private static Freshness freshness(
      SinksBenchConfig config, String bootstrap, KafkaProducer<String, VoteEvent> producer,
      VoteSampler sampler, Jedis reader) throws Exception {
    int rate = config.freshnessRate();
    long total = (long) rate * config.freshnessSeconds();
    int probeEvery = Math.max(1, rate * config.probeEveryMs() / 1000);
    int probes = (int) (total / probeEvery);
    AtomicLongArray sentAt = new AtomicLongArray(probes + 1);
    long[] visibleAfter = new long[probes + 1];
    AtomicLong seen = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    Thread watcher = new Thread(() -> {
      try (reader) {
        while (!stop.get()) {
          String value = reader.hget(RedisKeys.BAND_TOTALS, PROBE_BAND);
          long now = System.nanoTime();
          long v = value == null ? 0 : Math.min(probes, Long.parseLong(value));
          for (long k = seen.get() + 1; k <= v; k++) {
            visibleAfter[(int) k] = now - sentAt.get((int) k);
          }
          if (v > seen.get()) {
            seen.set(v);
          }
          if (v >= probes) {
            return;
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
      }
    }, "freshness-watcher");
    watcher.start();
    // Where the time goes: the same probe count as the streams app committed it, before the sinks.
    long[] committedAfter = new long[probes + 1];
    AtomicLong seenInKafka = new AtomicLong();
    Thread tallyWatcher = new Thread(() -> {
      Map<String, Object> props = new HashMap<>();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(props,
          Topics.TALLIES_BANDS.keySerde().deserializer(), Topics.TALLIES_BANDS.valueSerde().deserializer())) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.TALLIES_BANDS.name()).stream()
            .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        while (!stop.get() && seenInKafka.get() < probes) {
          for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(50))) {
            if (!PROBE_BAND.equals(r.key()) || r.value() == null) {
              continue;
            }
            long now = System.nanoTime();
            long v = Math.min(probes, r.value());
            for (long k = seenInKafka.get() + 1; k <= v; k++) {
              committedAfter[(int) k] = now - sentAt.get((int) k);
            }
            if (v > seenInKafka.get()) {
              seenInKafka.set(v);
            }
          }
        }
      }
    }, "freshness-tally-watcher");
    tallyWatcher.start();
    // Let the tally watcher reach the end of the topic before the first probe.
    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));

    AtomicReference<Exception> sendFailure = new AtomicReference<>();
    long start = System.nanoTime();
    long sent = 0;
    int probe = 0;
    while (sent < total) {
      long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
      for (; sent < due; sent++) {
        VoteEvent vote;
        if ((sent + 1) % probeEvery == 0 && probe < probes) {
          probe++;
          vote = new VoteEvent(UUID.randomUUID().toString(), PROBE_BAND, PROBE_ALBUM, 2026, 50, null,
              VoteEvent.CHANNEL_HTTP, System.currentTimeMillis());
          sentAt.set(probe, System.nanoTime());
        } else {
          vote = vote(sampler.next());
        }
        send(producer, vote, sendFailure);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    producer.flush();
    failIfSet(sendFailure);
    double achieved = sent / seconds(System.nanoTime() - start);
    watcher.join(TimeUnit.SECONDS.toMillis(60));
    tallyWatcher.join(TimeUnit.SECONDS.toMillis(5));
    stop.set(true);
    watcher.join();
    tallyWatcher.join();
    if (seen.get() < probes) {
      throw new IllegalStateException("only " + seen.get() + " of " + probes + " probes became visible");
    }
    System.out.printf(Locale.ROOT, "  sent %,d votes at %,.0f votes/s%n", sent, achieved);
    long[] millis = new long[probes];
    long[] kafkaMillis = new long[probes];
    for (int k = 1; k <= probes; k++) {
      millis[k - 1] = TimeUnit.NANOSECONDS.toMillis(visibleAfter[k]);
      // A probe never seen committed (watcher stopped early) counts as the Redis time: an upper bound.
      kafkaMillis[k - 1] = TimeUnit.NANOSECONDS.toMillis(k <= seenInKafka.get() ? committedAfter[k] : visibleAfter[k]);
    }
    return new Freshness(new Percentiles(millis), new Percentiles(kafkaMillis));
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private static VoteEvent vote(Map<String, String> v) {
    return new VoteEvent(UUID.randomUUID().toString(), v.get("name"), v.get("album"),
        Integer.parseInt(v.get("year")), Integer.parseInt(v.get("rank")), null, VoteEvent.CHANNEL_HTTP,
        System.currentTimeMillis());
  }

  private static void send(
      KafkaProducer<String, VoteEvent> producer, VoteEvent vote, AtomicReference<Exception> failure) {
    producer.send(new ProducerRecord<>(Topics.VOTES_RAW.name(), vote.voteId(), vote), (md, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
    });
  }

  private static void failIfSet(AtomicReference<Exception> failure) {
    if (failure.get() != null) {
      throw new IllegalStateException("a send to votes.raw failed", failure.get());
    }
  }

  /** Like ingest's producer: acks=all, idempotent, a few ms of linger. */
  private static KafkaProducer<String, VoteEvent> producer(String bootstrap) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    return new KafkaProducer<>(props, Topics.VOTES_RAW.keySerde().serializer(), Topics.VOTES_RAW.valueSerde().serializer());
  }

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

  private static void await(String what, int timeoutSeconds, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static long totalMemoryGib() {
    try {
      List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("/proc/meminfo")));
      String kb = lines.get(0).replaceAll("\\D+", "");
      return Math.round(Long.parseLong(kb) / 1024.0 / 1024.0);
    } catch (Exception e) {
      return -1;
    }
  }
}
