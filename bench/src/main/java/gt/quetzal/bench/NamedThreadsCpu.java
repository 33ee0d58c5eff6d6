package gt.quetzal.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU of the threads of this JVM whose names match, between {@link #start} and {@link #nanos}: one
 * service's share when several run in the bench's JVM. A matching thread that ended in between is
 * not counted, so this is a lower bound for short-lived threads.
 */
public final class NamedThreadsCpu {

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Predicate<String> names;
  private final Map<Long, Long> start = new HashMap<>();

  private NamedThreadsCpu(Predicate<String> names) {
    this.names = names;
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu >= 0) {
        start.put(id, cpu);
      }
    }
  }

  public static NamedThreadsCpu start(Predicate<String> names) {
    return new NamedThreadsCpu(names);
  }

  /** CPU the matching threads used since the start (threads started since count from zero). */
  public long nanos() {
    long sum = 0;
    for (long id : threads.getAllThreadIds()) {
      ThreadInfo info = threads.getThreadInfo(id);
      long cpu = threads.getThreadCpuTime(id);
      if (info != null && cpu >= 0 && names.test(info.getThreadName())) {
        sum += cpu - start.getOrDefault(id, 0L);
      }
    }
    return sum;
  }
}
