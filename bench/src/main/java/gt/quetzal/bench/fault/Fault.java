package gt.quetzal.bench.fault;

import java.util.Arrays;

/** The failures a fault run injects, numbered as in the reliability issue and {@code docs/reliability.md}. */
public enum Fault {
  BROKER(1, "broker killed hard",
      "the in-process broker halted without a controlled shutdown, kept down past the producers' delivery"
          + " timeout, then restarted on the same log dir (full log recovery)"),
  STREAMS_APP(2, "streams app killed hard",
      "the streams app's JVM gets SIGKILL mid-run and is started again on the same state dir"),
  SINKS(3, "sinks killed hard",
      "the sinks' JVM (Redis and MongoDB loops) gets SIGKILL mid-run and is started again"),
  REDIS(4, "Redis down 10 s",
      "redis-server gets SIGKILL, stays down 10 s, and restarts on the same append-only file"),
  MONGODB(5, "MongoDB down 10 s",
      "the MongoDB stand-in stops, stays down 10 s, and restarts on the same H2 file"),
  WHOLE_STACK(6, "whole stack restarted",
      "./quetzal up is stopped (as Ctrl-C does) and started again on the same QUETZAL_HOME");

  private final int number;
  private final String title;
  private final String description;

  Fault(int number, String title, String description) {
    this.number = number;
    this.title = title;
    this.description = description;
  }

  public int number() {
    return number;
  }

  public String title() {
    return title;
  }

  public String description() {
    return description;
  }

  public static Fault byNumber(int number) {
    return Arrays.stream(values())
        .filter(f -> f.number == number)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no fault number " + number + " (1 to 6)"));
  }
}
