package gt.quetzal.bench.ingest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU used during a window: by this JVM (broker, services and driver together) and by the whole
 * machine, so a run can show how much of the machine other processes took. On a shared 2-core box
 * the rate alone can mislead; CPU per vote is steadier.
 */
final class CpuMeter {

  private static final Path PROC_STAT = Path.of("/proc/stat");
  private static final Path SELF_STAT = Path.of("/proc/self/stat");
  /** USER_HZ: the unit of /proc times; 100 on every mainstream Linux. */
  private static final long TICK_NANOS = 10_000_000L;

  private final long processStartNanos;
  private final long childrenStartNanos;
  private final long[] machineStart;
  private final long wallStart;

  private CpuMeter(long processStartNanos, long childrenStartNanos, long[] machineStart, long wallStart) {
    this.processStartNanos = processStartNanos;
    this.childrenStartNanos = childrenStartNanos;
    this.machineStart = machineStart;
    this.wallStart = wallStart;
  }

  static CpuMeter start() {
    return new CpuMeter(processCpuNanos(), childrenCpuNanos(), machineJiffies(), System.nanoTime());
  }

  /**
   * @param ourCores         cores this JVM kept busy on average
   * @param otherCores       cores the rest of the machine kept busy (other processes, not our
   *                         children), or NaN if unknown
   * @param processCpuNanos  CPU this JVM used
   * @param childrenCpuNanos CPU of child processes that ended meanwhile (the baseline tool)
   */
  record Usage(double ourCores, double otherCores, long processCpuNanos, long childrenCpuNanos) {}

  Usage stop() {
    long wall = System.nanoTime() - wallStart;
    long process = processCpuNanos() - processStartNanos;
    long children = Math.max(0, childrenCpuNanos() - childrenStartNanos);
    long[] machineEnd = machineJiffies();
    double ours = (double) process / wall;
    double others = Double.NaN;
    if (machineStart != null && machineEnd != null) {
      long busy = machineEnd[0] - machineStart[0];
      long total = machineEnd[1] - machineStart[1];
      double cores = Runtime.getRuntime().availableProcessors();
      if (total > 0) {
        others = Math.max(0, cores * busy / (double) total - ours - (double) children / wall);
      }
    }
    return new Usage(ours, others, process, children);
  }

  /** User + system CPU of this process's waited-for children (cutime + cstime in /proc/self/stat). */
  private static long childrenCpuNanos() {
    try {
      String stat = Files.readString(SELF_STAT);
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * TICK_NANOS; // fields 16 and 17
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /** {busy, total} jiffies over all CPUs, or null off Linux. */
  private static long[] machineJiffies() {
    try {
      String first = Files.readAllLines(PROC_STAT).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
      String[] f = first.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
