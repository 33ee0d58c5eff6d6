package gt.quetzal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** What /proc says about a process and the machine (Linux only; elsewhere: empty, NaN or "unknown"). */
public final class ProcStats {

  /** USER_HZ; 100 on every Linux this runs on (sysconf is not reachable from Java). */
  static final long CLOCK_TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** VmRSS in bytes, or empty when the process is gone. */
  public static OptionalLong rssBytes(long pid) {
    try {
      return parseVmRss(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** The {@code VmRSS:   12345 kB} line of /proc/PID/status, in bytes. */
  public static OptionalLong parseVmRss(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
      }
    }
    return OptionalLong.empty();
  }

  /** User plus system CPU time in milliseconds, or empty when the process is gone. */
  public static OptionalLong cpuMillis(long pid) {
    try {
      return OptionalLong.of(parseCpuMillis(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** utime + stime (fields 14 and 15) of /proc/PID/stat; the command name may contain spaces, so split after ')'. */
  public static long parseCpuMillis(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // fields[0] is field 3 (state), so field N is fields[N - 3].
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
  }

  /** The 1-minute load average, or NaN. */
  public static double loadAverage1m() {
    String[] all = loadAverages();
    return all == null ? Double.NaN : Double.parseDouble(all[0]);
  }

  /** The 1, 5 and 15-minute load averages as /proc/loadavg writes them, or "unknown". */
  public static String loadAveragesText() {
    String[] all = loadAverages();
    return all == null ? "unknown" : all[0] + " " + all[1] + " " + all[2];
  }

  private static String[] loadAverages() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields.length >= 3 ? fields : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** MemTotal rounded to GiB, or -1. */
  public static long totalMemoryGib() {
    try {
      String kb = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D+", "");
      return Math.round(Long.parseLong(kb) / 1024.0 / 1024.0);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
