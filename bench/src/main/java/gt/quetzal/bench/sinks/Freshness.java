package gt.quetzal.bench.sinks;

import gt.quetzal.bench.Percentiles;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.load.VoteSampler;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import redis.clients.jedis.Jedis;

/**
 * Phase 3 of the sinks benchmark, per probe: when its band total reached Redis, and when it was first
 * committed in {@code tallies.bands} (where the time goes: the streams app, or the sinks after it).
 */
record Freshness(Percentiles redis, Percentiles kafka, long sent, double votesPerSec) {

  /**
   * Every probe goes to this partition of votes.raw (the record key must stay the voteId, so one
   * constant key is not possible): the probes stay in order through the streams app, so the probe band's
   * total reaching k means probe k itself was counted, and a stuck probe shows as a tail instead of being
   * absorbed by a later probe that took another partition.
   */
  static final int PROBE_PARTITION = 0;

  /**
   * Sends at a steady rate (paced every millisecond), every {@code probeEveryMs} one vote of the probe
   * band; a watcher reads the probe band's total every millisecond and stamps each probe number it reaches.
   */
  static Freshness measure(
      SinksBenchConfig config, String bootstrap, RawVoteSender sender, VoteSampler sampler, Jedis reader)
      throws Exception {
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
          // HGETALL, which the mirror script never runs, so commandstats tells the watcher's reads apart.
          String value = reader.hgetAll(RedisKeys.BAND_TOTALS).get(SinksBench.PROBE_BAND);
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
            if (!SinksBench.PROBE_BAND.equals(r.key()) || r.value() == null) {
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

    long start = System.nanoTime();
    long sent = 0;
    int probe = 0;
    while (sent < total) {
      long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
      for (; sent < due; sent++) {
        if ((sent + 1) % probeEvery == 0 && probe < probes) {
          probe++;
          VoteEvent vote = RawVoteSender.vote(SinksBench.PROBE_BAND, SinksBench.PROBE_ALBUM, 2026, 50);
          sentAt.set(probe, System.nanoTime());
          sender.send(vote, PROBE_PARTITION);
        } else {
          sender.send(RawVoteSender.vote(sampler.next()));
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    sender.flush();
    double achieved = sent / ((System.nanoTime() - start) / 1e9);
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
    return new Freshness(new Percentiles(millis), new Percentiles(kafkaMillis), sent, achieved);
  }
}
