package gt.quetzal.load.reconcile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How one route did, from the senders' own log: votes, requests (retries included), throughput over
 * the route's active window, latency percentiles of each vote's final attempt, failures (every attempt
 * answered neither accepted nor rejected, or cut off), and what the requests cost in CPU: the Locust
 * process's share of a core, its CPU microseconds per request, and the ingest service's (both only
 * when the route had its Locust processes to itself; NaN otherwise). CPU per request holds steady
 * when other work on the machine slows everything down, so it compares the routes more fairly than
 * req/s on a shared box.
 */
public record RouteStats(
    String route,
    long votes,
    long requests,
    long accepted,
    long rejected,
    long failures,
    double seconds,
    double p50,
    double p95,
    double p99,
    double locustCpu,
    double locustMicrosPerRequest,
    double ingestMicrosPerRequest) {

  public double requestsPerSecond() {
    return seconds > 0 ? requests / seconds : 0;
  }

  public static List<RouteStats> of(RunLog log) {
    List<RouteStats> routes = new ArrayList<>();
    for (String route : log.routes()) {
      List<Send> sends = log.sends().stream().filter(s -> s.route().equals(route)).toList();
      routes.add(of(route, sends, dedicated(log, route)));
    }
    return routes;
  }

  /**
   * The processes that sent this route and nothing else, or an empty list when the route shared a
   * process with the other one (then their CPU says nothing about this route alone).
   */
  static List<RunLog.Process> dedicated(RunLog log, String route) {
    List<RunLog.Process> processes = new ArrayList<>();
    for (RunLog.Process process : log.processes()) {
      if (process.routes().contains(route)) {
        if (process.routes().size() > 1) {
          return List.of();
        }
        processes.add(process);
      }
    }
    return processes;
  }

  static RouteStats of(String route, List<Send> sends, List<RunLog.Process> processes) {
    long requests = 0;
    long accepted = 0;
    long rejected = 0;
    long first = Long.MAX_VALUE;
    double last = Long.MIN_VALUE;
    double[] latencies = new double[sends.size()];
    int i = 0;
    for (Send send : sends) {
      requests += send.attempts();
      switch (send.outcome()) {
        case ACCEPTED -> accepted++;
        case REJECTED -> rejected++;
        default -> {}
      }
      first = Math.min(first, send.startMs());
      last = Math.max(last, send.startMs() + send.latencyMs());
      latencies[i++] = send.latencyMs();
    }
    Arrays.sort(latencies);
    double seconds = sends.isEmpty() ? 0 : Math.max(0, (last - first) / 1000.0);
    double cpu = processes.stream().mapToDouble(RunLog.Process::cpuSeconds).sum();
    double wall = processes.stream().mapToDouble(RunLog.Process::wallSeconds).sum();
    double ingest = processes.stream().mapToDouble(RunLog.Process::ingestCpuSeconds).sum(); // NaN if any is
    boolean measured = !processes.isEmpty() && requests > 0;
    return new RouteStats(
        route,
        sends.size(),
        requests,
        accepted,
        rejected,
        requests - accepted - rejected,
        seconds,
        percentile(latencies, 0.50),
        percentile(latencies, 0.95),
        percentile(latencies, 0.99),
        measured && wall > 0 ? cpu / wall : Double.NaN,
        measured ? cpu * 1e6 / requests : Double.NaN,
        measured ? ingest * 1e6 / requests : Double.NaN);
  }

  /** Nearest rank: the smallest value with at least {@code p} of the values at or below it. */
  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The HTTP-versus-gRPC table. */
  public static String table(List<RouteStats> routes) {
    StringBuilder out = new StringBuilder();
    String format = "  %-6s %9s %9s %9s %7s %7s %7s %8s %10s %13s %13s%n";
    out.append(
        String.format(
            Locale.ROOT, format, "route", "votes", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "failures",
            "locust CPU", "locust µs/req", "ingest µs/req"));
    for (RouteStats r : routes) {
      out.append(
          String.format(
              Locale.ROOT,
              format,
              r.route(),
              String.format(Locale.ROOT, "%,d", r.votes()),
              String.format(Locale.ROOT, "%,d", r.requests()),
              String.format(Locale.ROOT, "%,.1f", r.requestsPerSecond()),
              String.format(Locale.ROOT, "%.2f", r.p50()),
              String.format(Locale.ROOT, "%.2f", r.p95()),
              String.format(Locale.ROOT, "%.2f", r.p99()),
              String.format(Locale.ROOT, "%,d", r.failures()),
              Double.isNaN(r.locustCpu()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.locustCpu()),
              Double.isNaN(r.locustMicrosPerRequest()) ? "-" : String.format(Locale.ROOT, "%,.0f", r.locustMicrosPerRequest()),
              Double.isNaN(r.ingestMicrosPerRequest()) ? "-" : String.format(Locale.ROOT, "%,.0f", r.ingestMicrosPerRequest())));
    }
    return out.toString();
  }
}
