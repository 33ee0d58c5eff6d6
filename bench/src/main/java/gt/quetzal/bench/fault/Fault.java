package gt.quetzal.bench.fault;

/** The failures a fault run injects, numbered as in the reliability issue and {@code docs/reliability.md}. */
public enum Fault {
  BROKER("broker killed hard",
      "the in-process broker halted without a controlled shutdown, kept down past the producers' delivery"
          + " timeout, then restarted on the same log dir (full log recovery)"),
  STREAMS_APP("streams app killed hard",
      "the streams app's JVM gets SIGKILL mid-run and is started again on the same state dir"),
  SINKS("sinks killed hard",
      "the sinks' JVM (Redis and MongoDB loops) gets SIGKILL mid-run and is started again"),
  REDIS("Redis down 10 s",
      "redis-server gets SIGKILL, stays down 10 s, and restarts on the same append-only file"),
  MONGODB("MongoDB down 10 s",
      "the MongoDB stand-in stops, stays down 10 s, and restarts on the same H2 file"),
  WHOLE_STACK("whole stack restarted",
      "./quetzal up is stopped (as Ctrl-C does) and started again on the same QUETZAL_HOME");

  private final String title;
  private final String description;

  Fault(String title, String description) {
    this.title = title;
    this.description = description;
  }

  /** The fault's number in docs/reliability.md: its place in this list. */
  public int number() {
    return ordinal() + 1;
  }

  public String title() {
    return title;
  }

  public String description() {
    return description;
  }

  public static Fault byNumber(int number) {
    if (number < 1 || number > values().length) {
      throw new IllegalArgumentException("no fault number " + number + " (1 to " + values().length + ")");
    }
    return values()[number - 1];
  }
}
