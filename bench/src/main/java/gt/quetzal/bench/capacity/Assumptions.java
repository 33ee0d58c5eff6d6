package gt.quetzal.bench.capacity;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the capacity model assumes, each a {@code CAPACITY_*} variable so a different contest is one
 * variable away. The defaults are the ones docs/capacity.md shows.
 *
 * @param results            {@code CAPACITY_RESULTS}, default {@code docs/bench-results}: the recorded run
 *                           (point it at {@code .quetzal/bench-results} for your latest own)
 * @param targets            {@code CAPACITY_TARGETS}, default 1000,10000,100000 votes/s at peak
 * @param mix                {@code CAPACITY_MIX}, route=share pairs summing to 1; default http-single 0.4,
 *                           http-batch 0.1, grpc-unary 0.1, grpc-stream 0.4
 * @param skew               {@code CAPACITY_SKEW}, default {@code hot} (one band takes half the votes):
 *                           which streams run's cost applies (zipf, uniform or hot)
 * @param headroom           {@code CAPACITY_HEADROOM}, default 0.6: the CPU share a part may use at peak
 * @param replicationFactor  {@code CAPACITY_REPLICATION_FACTOR}, default 3: each record is written on
 *                           this many brokers, each at the baseline's cost
 * @param recordsPerVote     {@code CAPACITY_RECORDS_PER_VOTE}, default 3: records a vote writes
 *                           (votes.raw, votes.accepted, the dedup changelog; the combiner's deltas are
 *                           per flush, not per vote)
 * @param brokerCores        {@code CAPACITY_BROKER_CORES}, default 2 per broker
 * @param brokerMemoryMiB    {@code CAPACITY_BROKER_MEMORY_MIB}, default 2048 per broker (heap and page cache)
 * @param podCores           {@code CAPACITY_POD_CORES}, default 1 per ingest and sinks pod
 * @param threadsPerInstance {@code CAPACITY_STREAMS_THREADS}, default 2: most stream threads per
 *                           instance (one core each)
 * @param minReplicas        {@code CAPACITY_MIN_REPLICAS}, default 2 of every service, for availability
 * @param partitionRoom      {@code CAPACITY_PARTITION_ROOM}, default 2: partitions ≥ this × the stream
 *                           threads deployed, so instances can double during the contest
 * @param ingestRssMiB       {@code CAPACITY_INGEST_RSS_MIB}, default 136 (docs/benchmarks.md, local stack)
 * @param sinksRssMiB        {@code CAPACITY_SINKS_RSS_MIB}, default 136 (docs/benchmarks.md, local stack)
 */
public record Assumptions(
    Path results,
    List<Integer> targets,
    Map<String, Double> mix,
    String skew,
    double headroom,
    int replicationFactor,
    double recordsPerVote,
    int brokerCores,
    int brokerMemoryMiB,
    int podCores,
    int threadsPerInstance,
    int minReplicas,
    int partitionRoom,
    int ingestRssMiB,
    int sinksRssMiB) {

  /** The partition counts the model chooses from: each divides the next, so a count can grow by splitting. */
  public static final List<Integer> PARTITION_LADDER = List.of(3, 6, 12, 24, 48, 96, 192, 384);

  public Assumptions {
    targets = List.copyOf(targets);
    mix = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mix));
  }

  public static Assumptions defaults() {
    return fromEnv(Map.of());
  }

  public static Assumptions fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    Path results = Path.of(env.string("CAPACITY_RESULTS", "docs/bench-results"));
    List<Integer> targets = new ArrayList<>();
    String targetList = env.string("CAPACITY_TARGETS", "1000,10000,100000");
    for (String t : targetList.split(",")) {
      try {
        int target = Integer.parseInt(t.trim());
        if (target > 0) {
          targets.add(target);
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      env.problem("CAPACITY_TARGETS=" + targetList + ": '" + t.trim() + "' is not a positive number of votes/s");
    }
    Map<String, Double> mix = mix(env.string("CAPACITY_MIX", "http-single=0.4,http-batch=0.1,grpc-unary=0.1,grpc-stream=0.4"), env);
    String skew = env.string("CAPACITY_SKEW", "hot");
    if (!List.of("zipf", "uniform", "hot").contains(skew)) {
      env.problem("CAPACITY_SKEW=" + skew + " is not one of zipf, uniform, hot");
    }
    double headroom = fraction(env, "CAPACITY_HEADROOM", "0.6");
    Assumptions a = new Assumptions(
        results, targets, mix, skew, headroom,
        env.integer("CAPACITY_REPLICATION_FACTOR", 3, 1, 5),
        fraction(env, "CAPACITY_RECORDS_PER_VOTE", "3", 1, 20),
        env.integer("CAPACITY_BROKER_CORES", 2, 1, 256),
        env.integer("CAPACITY_BROKER_MEMORY_MIB", 2048, 256, 1 << 20),
        env.integer("CAPACITY_POD_CORES", 1, 1, 64),
        env.integer("CAPACITY_STREAMS_THREADS", 2, 1, 64),
        env.integer("CAPACITY_MIN_REPLICAS", 2, 1, 10),
        env.integer("CAPACITY_PARTITION_ROOM", 2, 1, 16),
        env.integer("CAPACITY_INGEST_RSS_MIB", 136, 16, 1 << 20),
        env.integer("CAPACITY_SINKS_RSS_MIB", 136, 16, 1 << 20));
    env.validate("capacity");
    return a;
  }

  private static Map<String, Double> mix(String text, EnvReader env) {
    Map<String, Double> mix = new LinkedHashMap<>();
    for (String route : MeasuredCosts.ROUTES) {
      mix.put(route, 0.0);
    }
    double sum = 0;
    for (String pair : text.split(",")) {
      String[] kv = pair.split("=", 2);
      String route = kv[0].trim();
      Double share = null;
      try {
        share = kv.length == 2 ? Double.valueOf(kv[1].trim()) : null;
      } catch (NumberFormatException e) {
        // reported below
      }
      if (!mix.containsKey(route) || share == null || share < 0 || share > 1) {
        env.problem("CAPACITY_MIX=" + text + ": '" + pair.trim() + "' is not route=share with route one of "
            + String.join(", ", MeasuredCosts.ROUTES) + " and share from 0 to 1");
        continue;
      }
      mix.put(route, share);
      sum += share;
    }
    if (Math.abs(sum - 1) > 1e-9) {
      env.problem("CAPACITY_MIX=" + text + ": the shares add up to " + sum + ", not 1");
    }
    return mix;
  }

  private static double fraction(EnvReader env, String name, String fallback) {
    return fraction(env, name, fallback, 0.05, 1);
  }

  private static double fraction(EnvReader env, String name, String fallback, double min, double max) {
    String text = env.string(name, fallback);
    try {
      double value = Double.parseDouble(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    env.problem(name + "=" + text + " is not a number from " + min + " to " + max);
    return Double.parseDouble(fallback);
  }
}
