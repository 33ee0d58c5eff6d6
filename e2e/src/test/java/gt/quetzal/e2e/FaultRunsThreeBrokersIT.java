package gt.quetzal.e2e;

import gt.quetzal.bench.fault.Fault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Fault 7 of docs/reliability.md on a three-broker stack ({@link FaultRuns}): the partition leader killed hard. */
class FaultRunsThreeBrokersIT {

  @RegisterExtension
  static final FaultRuns runs = FaultRuns.onBrokers(3);

  @Test
  @Timeout(420)
  void oneBrokerOfThreeKilledHardLosesAndDoublesNothing() {
    runs.runAndCheck(Fault.BROKER_OF_THREE);
  }
}
