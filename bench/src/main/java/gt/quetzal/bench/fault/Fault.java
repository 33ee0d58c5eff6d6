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
      "./quetzal up is stopped (as Ctrl-C does) and started again on the same QUETZAL_HOME"),
  BROKER_OF_THREE("one broker of three killed hard",
      "on a 3-broker cluster (replication factor 3, min.insync.replicas=2) the broker leading votes.raw's"
          + " partition 0 is halted without a controlled shutdown, kept down, then restarted on its log dir",
      3, false),
  CLOCK_SKEW("one ingest 5 min fast",
      "a second ingest-http whose clock runs 5 minutes fast takes the HTTP routes for a while, its votes"
          + " interleaved with the gRPC routes' on the usual ingest"),
  REDIS_AFTER_BURST("Redis killed after a burst",
      "traffic stops after a burst; as soon as Redis shows it, redis-server gets SIGKILL (inside appendfsync"
          + " everysec's second) and restarts on its append-only file", 1, true);

  private final String title;
  private final String description;
  private final int brokers;
  private final boolean quiet;

  Fault(String title, String description) {
    this(title, description, 1, false);
  }

  Fault(String title, String description, int brokers, boolean quiet) {
    this.title = title;
    this.description = description;
    this.brokers = brokers;
    this.quiet = quiet;
  }

  /** Kafka brokers of the stack this fault runs on (fault 6: whatever ./quetzal up runs). */
  public int brokers() {
    return brokers;
  }

  /** Whether traffic stops (and every answer is in) before the fault, instead of flowing through it. */
  public boolean quiet() {
    return quiet;
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
