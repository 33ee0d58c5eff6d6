package gt.quetzal.bench.ingest;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where this JVM's CPU went during a window, by thread group (names with digits folded: {@code
 * ingest-http-17} counts as {@code ingest-http-N}). Broker, services and driver share the JVM, so
 * this splits a route's cost into Kafka, the service and the driver without an external profiler.
 */
final class ThreadCpu {

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = new HashMap<>();
  private final long jitStartMs = jitMillis();
  private final long gcStartMs = gcMillis();

  ThreadCpu() {
    for (long id : threads.getAllThreadIds()) {
      start.put(id, Math.max(0, threads.getThreadCpuTime(id)));
    }
  }

  /** The top groups as "name cores" pairs, busiest first, over {@code wallNanos}. */
  String top(long wallNanos, int limit) {
    Map<String, Long> byGroup = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long now = threads.getThreadCpuTime(id);
      ThreadInfo info = threads.getThreadInfo(id);
      if (now < 0 || info == null) {
        continue;
      }
      String group = info.getThreadName().replaceAll("[0-9]+", "N");
      byGroup.merge(group, now - start.getOrDefault(id, 0L), Long::sum);
    }
    // JIT compiler and GC threads are not Java threads: report their time separately.
    double jit = (jitMillis() - jitStartMs) * 1e6 / wallNanos;
    double gc = (gcMillis() - gcStartMs) * 1e6 / wallNanos;
    return byGroup.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .limit(limit)
            .map(e -> String.format(Locale.ROOT, "%.2f %s", (double) e.getValue() / wallNanos, e.getKey()))
            .collect(Collectors.joining("; "))
        + String.format(Locale.ROOT, "; JIT compiling %.2f, GC pauses %.2f (share of wall time)", jit, gc);
  }

  private static long jitMillis() {
    var jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(gc -> Math.max(0, gc.getCollectionTime())).sum();
  }
}
