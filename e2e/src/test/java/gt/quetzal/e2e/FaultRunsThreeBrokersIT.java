package gt.quetzal.e2e;

import gt.quetzal.bench.fault.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fault 7 of docs/reliability.md on a three-broker stack ({@link FaultRuns}): the partition leader killed hard. */
class FaultRunsThreeBrokersIT {

  private static FaultRuns runs;

  @BeforeAll
  static void startStack() {
    runs = FaultRuns.onBrokers(3);
  }

  @AfterAll
  static void stopStack() {
    if (runs != null) {
      runs.close();
    }
  }

  @Test
  @Timeout(420)
  void oneBrokerOfThreeKilledHardLosesAndDoublesNothing() {
    runs.runAndCheck(Fault.BROKER_OF_THREE);
  }
}
