package gt.quetzal.bench.capacity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sizes one peak rate from measured CPU per vote and the assumptions: every part gets the cores its
 * votes cost divided by the headroom, rounded up to whole pods, and never fewer than the minimum
 * replicas. The arithmetic, step by step, is in docs/capacity.md.
 */
public final class CapacityModel {

  private final MeasuredCosts costs;
  private final Assumptions a;

  public CapacityModel(MeasuredCosts costs, Assumptions assumptions) {
    this.costs = costs;
    this.a = assumptions;
  }

  /**
   * One profile.
   *
   * @param routeCores      route → cores its share of the votes needs at the headroom
   * @param streamsThreads  stream threads deployed in all (instances × threads per instance)
   */
  public record Profile(
      int votesPerSec,
      int partitions,
      int streamsInstances,
      int threadsPerInstance,
      int streamsThreads,
      double streamsCores,
      Map<String, Double> routeCores,
      int ingestHttpReplicas,
      int ingestGrpcReplicas,
      int ingestHttpMax,
      int ingestGrpcMax,
      double sinksCores,
      int sinksInstances,
      double brokerCores,
      int brokers,
      int totalCores,
      long memoryMiB) {}

  public Profile size(int votesPerSec) {
    double t = votesPerSec;
    // Streams: a stream thread works on one core at most, so the cores needed are the threads needed.
    double streamsCores = cores(t * costs.streamsUsPerVote());
    int threadsNeeded = Math.max(1, ceil(streamsCores));
    int instances = Math.max(a.minReplicas(), ceilDiv(threadsNeeded, a.threadsPerInstance()));
    int threadsPerInstance = ceilDiv(threadsNeeded, instances);
    int threads = instances * threadsPerInstance;
    int partitions = partitions(a.partitionRoom() * threads);

    Map<String, Double> routeCores = new LinkedHashMap<>();
    for (String route : MeasuredCosts.ROUTES) {
      routeCores.put(route, cores(t * a.mix().get(route) * costs.ingestUsPerVote().get(route)));
    }
    int http = pods(routeCores.get("http-single") + routeCores.get("http-batch"), a.podCores());
    int grpc = pods(routeCores.get("grpc-unary") + routeCores.get("grpc-stream"), a.podCores());
    // The autoscalers' ceilings: the partition room times the peak, all of it on the Deployment's dearer route.
    int httpMax = pods(cores(a.partitionRoom() * t * dearer("http-single", "http-batch")), a.podCores());
    int grpcMax = pods(cores(a.partitionRoom() * t * dearer("grpc-unary", "grpc-stream")), a.podCores());

    double sinksCores = cores(t * costs.sinksUsPerVote());
    // A sinks pod beyond the partitions of votes.accepted would idle.
    int sinks = Math.min(pods(sinksCores, a.podCores()), Math.max(a.minReplicas(), partitions));

    double brokerCores = cores(t * a.recordsPerVote() * a.replicationFactor() * costs.brokerUsPerRecord());
    int brokers = Math.max(a.replicationFactor(), ceil(brokerCores / a.brokerCores()));

    int totalCores = (http + grpc + sinks) * a.podCores() + threads + brokers * a.brokerCores();
    long memory = (long) (http + grpc) * a.ingestRssMiB() + (long) instances * costs.streamsRssMiB()
        + (long) sinks * a.sinksRssMiB() + (long) brokers * a.brokerMemoryMiB();
    return new Profile(votesPerSec, partitions, instances, threadsPerInstance, threads, streamsCores, routeCores,
        http, grpc, httpMax, grpcMax, sinksCores, sinks, brokerCores, brokers, totalCores, memory);
  }

  private double dearer(String route, String other) {
    return Math.max(costs.ingestUsPerVote().get(route), costs.ingestUsPerVote().get(other));
  }

  /** Cores for {@code usPerSecond} µs of CPU each second, at the headroom. */
  private double cores(double usPerSecond) {
    return usPerSecond / 1e6 / a.headroom();
  }

  private int pods(double cores, int coresPerPod) {
    return Math.max(a.minReplicas(), ceil(cores / coresPerPod));
  }

  /** The smallest count on the ladder that is at least {@code needed}. */
  static int partitions(int needed) {
    for (int p : Assumptions.PARTITION_LADDER) {
      if (p >= needed) {
        return p;
      }
    }
    throw new IllegalArgumentException(needed + " partitions is beyond the ladder " + Assumptions.PARTITION_LADDER);
  }

  /** Ceiling that forgives floating-point dust (3.0000000000000004 cores is 3). */
  static int ceil(double x) {
    return (int) Math.ceil(x - 1e-9);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
