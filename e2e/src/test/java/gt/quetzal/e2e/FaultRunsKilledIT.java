package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.bench.fault.Fault;
import gt.quetzal.bench.fault.FaultResult;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults 3, 2 and 1 of docs/reliability.md on one one-broker stack ({@link FaultRuns}): a part killed hard. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultRunsKilledIT {

  @RegisterExtension
  static final FaultRuns runs = FaultRuns.onBrokers(1);

  @Test
  @Order(1)
  @Timeout(240)
  void sinksKilledHardLoseAndDoubleNothing() {
    runs.runAndCheck(Fault.SINKS);
  }

  @Test
  @Order(2)
  @Timeout(240)
  void streamsAppKilledHardLosesAndDoublesNothing() {
    runs.runAndCheck(Fault.STREAMS_APP);
  }

  @Test
  @Order(3)
  @Timeout(240)
  void brokerKilledHardLosesAndDoublesNothing() {
    FaultResult r = runs.runAndCheck(Fault.BROKER);
    // The broker stayed down past ingest's delivery timeout: some answers were 503 / UNAVAILABLE and retried.
    assertThat(r.uncertainAttempts()).as("attempts answered 503 / UNAVAILABLE or not at all").isPositive();
    assertThat(r.retriedVotes()).isPositive();
  }
}
