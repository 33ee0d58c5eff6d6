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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Faults 1 to 5, 8 and 9 of docs/reliability.md on one throw-away one-broker stack, then fault 7 on a
 * three-broker one: votes flow through the four routes at a steady rate while one part fails, and afterwards
 * every acknowledged vote is in Redis and MongoDB exactly once and {@code ./quetzal recount} over the whole
 * stack agrees. Each run has its own voteId prefix and bands, so the runs share a stack without sharing
 * counts; the recount covers everything the stack holds, so an earlier run's damage would fail later runs
 * too. The streams app and the sinks run as child JVMs, so "killed hard" is a real SIGKILL.
 *
 * <p>The rate is 200 votes/s in total, a fifth of {@code ./quetzal faults}' default, to keep {@code ./mvnw
 * verify} reasonable on two cores.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultRunsIT {

  private static final Path LOGS = Path.of("target", "fault-logs").toAbsolutePath();

  /** Shorter than the command's defaults to fit the build, long enough for the fault to hit traffic. */
  private static final FaultRun.Settings SETTINGS = new FaultRun.Settings(
      new SteadySender.Settings(200, Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(1), 10, 7),
      Duration.ofSeconds(3),
      Duration.ofSeconds(4),
      Duration.ofSeconds(100),
      Duration.ofSeconds(1));

  private static LocalStack stack;
  private static int brokers;
  private static final List<FaultResult> results = new ArrayList<>();

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
    if (!results.isEmpty()) {
      System.out.println(FaultReport.markdown(results));
    }
  }

  /** The fault's stack: the one running, or a fresh one on the brokers it needs (the other one stopped first). */
  private static LocalStack stackFor(Fault fault) {
    if (stack == null || brokers != fault.brokers()) {
      if (stack != null) {
        stack.close();
        stack = null;
      }
      stack = LocalStack.start(LocalStack.Settings.defaults(LOGS).withBrokers(fault.brokers()));
      brokers = fault.brokers();
    }
    return stack;
  }

  private static FaultResult runAndCheck(Fault fault) {
    FaultResult r = new FaultRun(stackFor(fault), SETTINGS, System.out).run(fault);
    results.add(r);
    assertThat(r.evidence().happened()).as("the fault happened: %s", r.evidence().account()).isTrue();
    assertThat(r.acknowledged()).as("acknowledged").isPositive();
    assertThat(r.lost()).as("lost (%s; logs %s)", r, stack.logLocations()).isZero();
    assertThat(r.duplicated()).as("duplicated (%s)", r).isZero();
    assertThat(r.problems()).as("problems (a vote rejected as late is one)").isEmpty();
    assertThat(r.recount().agrees()).as("the recount: %s", r.recount().account()).isTrue();
    assertThat(r.acknowledgedPerRoute()).as("every route carried votes").hasSize(4);
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

  @Test
  @Order(6)
  @Timeout(180)
  void anIngestFiveMinutesFastGetsNothingRejectedAsLate() {
    runAndCheck(Fault.CLOCK_SKEW);
  }

  @Test
  @Order(7)
  @Timeout(180)
  void redisKilledRightAfterABurstLosesNothing() {
    runAndCheck(Fault.REDIS_AFTER_BURST);
  }

  @Test
  @Order(8)
  @Timeout(420)
  void oneBrokerOfThreeKilledHardLosesAndDoublesNothing() {
    runAndCheck(Fault.BROKER_OF_THREE);
  }
}
