package gt.quetzal.devstack;

import gt.quetzal.kit.Redact;
import gt.quetzal.kit.EnvReader;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devstack as its own JVM, for {@code ./quetzal up}. Stdout carries exactly one line, the READY line;
 * logs go to stderr, and so does the line saying what became of the contest ({@link ContestOnStart}), which
 * starts with {@code contest: }. Exit status: 2 bad configuration (a bad catalog included), 3 a port is taken,
 * 4 the stack's topics have another partition count than asked, 5 the contest could not be applied, 1 any
 * other startup failure.
 */
public final class DevstackMain {

  public static final int EXIT_FAILED = 1;
  public static final int EXIT_BAD_CONFIG = 2;
  public static final int EXIT_PORT_IN_USE = 3;
  public static final int EXIT_OTHER_PARTITIONS = 4;
  public static final int EXIT_CONTEST = 5;

  private static final Logger log = LoggerFactory.getLogger(DevstackMain.class);
  /** Leaves the launcher's 10 s budget some room even if a component hangs on close. */
  private static final long CLOSE_BUDGET_MS = 8_000;

  private DevstackMain() {}

  public static void main(String[] args) throws InterruptedException {
    DevstackConfig config = null;
    Optional<ContestOnStart> contest = Optional.empty();
    boolean bad = false;
    try {
      config = DevstackConfig.fromEnv(System.getenv());
    } catch (EnvReader.ConfigException e) {
      System.err.println(e.getMessage());
      bad = true;
    }
    try {
      contest = ContestOnStart.fromEnv(System.getenv());
    } catch (EnvReader.ConfigException e) { // reported too, so one run names every bad variable
      System.err.println(e.getMessage());
      bad = true;
    }
    if (bad) {
      System.exit(EXIT_BAD_CONFIG);
      return;
    }
    Optional<String> busy = firstPortInUse(config.portsToBind());
    if (busy.isPresent()) {
      System.err.println(busy.get());
      System.exit(EXIT_PORT_IN_USE);
      return;
    }

    Devstack stack;
    try {
      stack = Devstack.start(config);
    } catch (TopicSetup.PartitionCountException e) {
      System.err.println(otherPartitions(e, config));
      System.exit(EXIT_OTHER_PARTITIONS);
      return;
    } catch (RuntimeException e) {
      log.error("devstack failed to start", e);
      System.exit(EXIT_FAILED);
      return;
    }
    if (contest.isPresent() && !applied(stack, contest.get())) {
      stack.close();
      System.exit(EXIT_CONTEST);
      return;
    }
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeWithin(stack, closed), "devstack-shutdown"));
    System.out.println(readyLine(stack));
    System.out.flush();
    closed.await();
  }

  /** Applies the contest and says what became of it on stderr, as the contest tool would; false if it failed. */
  private static boolean applied(Devstack stack, ContestOnStart contest) {
    try {
      System.err.println("contest: " + stack.applyContest(contest.catalog(), contest.ifAbsent()));
      return true;
    } catch (IllegalArgumentException e) {
      System.err.println("contest: " + contest.source() + " is not a usable catalog: " + e.getMessage());
    } catch (RuntimeException e) {
      log.error("could not apply the contest {}", contest.source(), e);
      System.err.println("contest: could not apply " + contest.source() + ": " + e.getMessage());
    }
    return false;
  }

  /** The message naming the first taken port and its service, e.g. "port 9092 (Kafka) is already in use". */
  static Optional<String> firstPortInUse(Map<Integer, String> ports) {
    return ports.entrySet().stream()
        .filter(entry -> !Ports.isFree(entry.getKey()))
        .findFirst()
        .map(entry -> "port " + entry.getKey() + " (" + entry.getValue() + ") is already in use");
  }

  /** The refusal in the launcher's words: what the stack has, and the two ways on. */
  static String otherPartitions(TopicSetup.PartitionCountException e, DevstackConfig config) {
    String asked = config.partitions() == TopicSetup.AS_CREATED ? "" : " --partitions " + config.partitions();
    return "quetzal: " + e.getMessage() + " (README.md, \"Partitions: fixed for a contest\").\n"
        + "  Keep this stack's votes: ./quetzal up --partitions " + e.created() + " (or without --partitions).\n"
        + "  Start a new contest instead: ./quetzal clean (deletes the votes in " + config.home()
        + "), then ./quetzal up" + asked + "; or QUETZAL_HOME=another-dir ./quetzal up" + asked + ".";
  }

  static String readyLine(Devstack stack) {
    return "DEVSTACK READY kafka=" + stack.bootstrapServers() + " partitions=" + stack.partitions()
        + " redis=" + stack.redisUrl()
        + " mongo=" + Redact.uri(stack.mongoUri()); // an external MONGO_URI may carry a password
  }

  private static void closeWithin(Devstack stack, CountDownLatch closed) {
    Thread closer = new Thread(() -> {
      try {
        stack.close();
      } catch (RuntimeException e) {
        log.error("devstack did not close cleanly", e);
      }
    }, "devstack-close");
    closer.start();
    try {
      closer.join(CLOSE_BUDGET_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      log.error("devstack did not stop within {} ms; halting the JVM", CLOSE_BUDGET_MS);
      closed.countDown();
      Runtime.getRuntime().halt(EXIT_FAILED);
    }
    closed.countDown();
    log.info("devstack stopped");
  }
}
