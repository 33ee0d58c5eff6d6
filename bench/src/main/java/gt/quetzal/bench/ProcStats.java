package gt.quetzal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Reads another process's resident memory and CPU time from /proc (Linux only). */
final class ProcStats {

  /** USER_HZ; 100 on every Linux this runs on (sysconf is not reachable from Java). */
  static final long CLOCK_TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** VmRSS in bytes, or empty when the process is gone. */
  static OptionalLong rssBytes(long pid) {
    try {
      return parseVmRss(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** The {@code VmRSS:   12345 kB} line of /proc/PID/status, in bytes. */
  static OptionalLong parseVmRss(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
      }
    }
    return OptionalLong.empty();
  }

  /** User plus system CPU time in milliseconds, or empty when the process is gone. */
  static OptionalLong cpuMillis(long pid) {
    try {
      return OptionalLong.of(parseCpuMillis(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** utime + stime (fields 14 and 15) of /proc/PID/stat; the command name may contain spaces, so split after ')'. */
  static long parseCpuMillis(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // fields[0] is field 3 (state), so field N is fields[N - 3].
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
  }

  /** The 1-minute load average from /proc/loadavg, or NaN. */
  static double loadAverage1m() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
