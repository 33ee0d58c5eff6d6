package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.bench.fault.Fault;
import gt.quetzal.bench.fault.FaultReport;
import gt.quetzal.bench.fault.FaultResult;
import gt.quetzal.bench.fault.FaultRun;
import gt.quetzal.bench.fault.LocalStack;
import gt.quetzal.bench.fault.SteadySender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Faults 1 to 5 of docs/reliability.md on one throw-away stack: votes flow through HTTP and gRPC at a
 * steady rate while one part fails, and afterwards every acknowledged vote is in Redis and MongoDB exactly
 * once. Each run has its own voteId prefix and bands, so the runs share the stack without sharing counts.
 * The streams app and the sinks run as child JVMs, so "killed hard" is a real SIGKILL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultRunsIT {

  private static final Path LOGS = Path.of("target", "fault-logs").toAbsolutePath();

  /** Shorter than the command's defaults to fit the build, long enough for the fault to hit traffic. */
  private static final FaultRun.Settings SETTINGS = new FaultRun.Settings(
      new SteadySender.Settings(15, Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(1), 10, 7),
      Duration.ofSeconds(3),
      Duration.ofSeconds(4),
      Duration.ofSeconds(100),
      Duration.ofSeconds(1));

  private static LocalStack stack;
  private static FaultRun run;
  private static final List<FaultResult> results = new ArrayList<>();

  @BeforeAll
  static void startStack() {
    stack = LocalStack.start(LocalStack.Settings.defaults(LOGS));
    run = new FaultRun(stack, SETTINGS, System.out);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
    if (!results.isEmpty()) {
      System.out.println(FaultReport.markdown(results));
    }
  }

  private static FaultResult runAndCheck(Fault fault) {
    FaultResult r = run.run(fault);
    results.add(r);
    assertThat(r.evidence().happened()).as("the fault happened: %s", r.evidence().account()).isTrue();
    assertThat(r.acknowledged()).as("acknowledged").isPositive();
    assertThat(r.lost()).as("lost (%s; logs %s)", r, stack.logLocations()).isZero();
    assertThat(r.duplicated()).as("duplicated (%s)", r).isZero();
    assertThat(r.problems()).as("problems").isEmpty();
    assertThat(r.refused()).as("votes refused at the door").isZero();
    assertThat(r.counted()).isGreaterThanOrEqualTo(r.acknowledged());
    assertThat(r.stored()).isEqualTo(r.acknowledged() + r.acceptedWithoutAck());
    // Every deliberate resend reached the streams app as a second copy, and it dropped each one.
    assertThat(r.resentVotes()).isPositive();
    assertThat(r.deduplicated()).as("copies the streams app dropped").isGreaterThanOrEqualTo(r.resentVotes());
    return r;
  }

  @Test
  @Order(1)
  @Timeout(180)
  void redisDownTenSecondsLosesAndDoublesNothing() {
    runAndCheck(Fault.REDIS);
  }

  @Test
  @Order(2)
  @Timeout(180)
  void mongoDownTenSecondsLosesAndDoublesNothing() {
    runAndCheck(Fault.MONGODB);
  }

  @Test
  @Order(3)
  @Timeout(240)
  void sinksKilledHardLoseAndDoubleNothing() {
    runAndCheck(Fault.SINKS);
  }

  @Test
  @Order(4)
  @Timeout(240)
  void streamsAppKilledHardLosesAndDoublesNothing() {
    runAndCheck(Fault.STREAMS_APP);
  }

  @Test
  @Order(5)
  @Timeout(240)
  void brokerKilledHardLosesAndDoublesNothing() {
    FaultResult r = runAndCheck(Fault.BROKER);
    // The broker stayed down past ingest's delivery timeout: some answers were 503 / UNAVAILABLE and retried.
    assertThat(r.uncertainAttempts()).as("attempts answered 503 / UNAVAILABLE or not at all").isPositive();
    assertThat(r.retriedVotes()).isPositive();
  }
}
