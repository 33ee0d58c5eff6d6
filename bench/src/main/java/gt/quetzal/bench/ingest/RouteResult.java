package gt.quetzal.bench.ingest;

/**
 * What one route reached in its measured window.
 *
 * @param route        the route's name
 * @param votesPerSec  accepted votes per second (for a batch: requests times votes per request)
 * @param p50Ms        median latency of one request, in ms (a batch's for the batch route)
 * @param p99Ms        99th percentile latency of one request, in ms
 * @param failures     requests that did not end accepted (should be 0)
 * @param note         how the route was driven
 * @param cpuUsPerVote  CPU of this JVM (broker + services + driver) per accepted vote, in µs
 * @param otherCores    cores other processes on the machine kept busy meanwhile
 */
public record RouteResult(
    String route, double votesPerSec, double p50Ms, double p99Ms, long failures, String note, double cpuUsPerVote, double otherCores) {

  static RouteResult of(String route, Window window, int votesPerRequest, String note) {
    long[] sorted = window.latencies.sorted();
    long votes = window.ok.sum() * votesPerRequest;
    double rate = votes / window.seconds();
    CpuMeter.Usage usage = window.usage();
    double cpuPerVote = votes == 0 ? Double.NaN : usage.processCpuNanos() / 1e3 / votes;
    return new RouteResult(
        route, rate, Latencies.percentile(sorted, 0.50) / 1e6, Latencies.percentile(sorted, 0.99) / 1e6, window.failed.sum(), note,
        cpuPerVote, usage.otherCores());
  }
}
