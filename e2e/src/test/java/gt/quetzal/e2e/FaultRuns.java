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
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the {@code FaultRuns*IT} classes share: faults of docs/reliability.md on one throw-away stack of theirs,
 * votes flowing through the four routes at a steady rate while one part fails, and afterwards every acknowledged
 * vote is in Redis and MongoDB exactly once and {@code ./quetzal recount} over the whole stack agrees. Each run
 * has its own voteId prefix and bands, so the runs of a class share its stack without sharing counts; the
 * recount covers everything the stack holds, so an earlier run's damage would fail later runs too. The streams
 * app and the sinks run as child JVMs, so "killed hard" is a real SIGKILL.
 *
 * <p>The faults are split over three classes, each with its own stack, so that failsafe runs them beside the
 * other ITs (e2e/pom.xml): the runs mostly wait for an outage to end. The rate is 200 votes/s in total, a fifth of
 * {@code ./quetzal faults}' default, to keep {@code ./mvnw verify} reasonable on two cores.
 */
final class FaultRuns implements BeforeAllCallback, AfterAllCallback {

  private static final Path LOGS = Path.of("target", "fault-logs").toAbsolutePath();

  /** Shorter than the command's defaults to fit the build, long enough for the fault to hit traffic. */
  private static final FaultRun.Settings SETTINGS = new FaultRun.Settings(
      new SteadySender.Settings(200, Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(1), 10, 7),
      Duration.ofSeconds(3),
      Duration.ofSeconds(4),
      Duration.ofSeconds(100),
      Duration.ofSeconds(1));

  private final int brokers;
  private final List<FaultResult> results = new ArrayList<>();
  private LocalStack stack;

  private FaultRuns(int brokers) {
    this.brokers = brokers;
  }

  /** A class's stack on {@code brokers} Kafka brokers, started before its first test: {@code @RegisterExtension} it. */
  static FaultRuns onBrokers(int brokers) {
    return new FaultRuns(brokers);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    stack = LocalStack.start(LocalStack.Settings.defaults(LOGS).withBrokers(brokers));
  }

  /** Runs {@code fault} and asserts the verdict of docs/reliability.md on it. */
  FaultResult runAndCheck(Fault fault) {
    FaultResult r = new FaultRun(stack, SETTINGS, System.out).run(fault);
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

  /** Stops the stack and prints the runs' table. */
  @Override
  public void afterAll(ExtensionContext context) {
    if (stack != null) {
      stack.close();
    }
    if (!results.isEmpty()) {
      System.out.println(FaultReport.markdown(results));
    }
  }
}
