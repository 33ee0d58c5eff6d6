package gt.quetzal.e2e;

import gt.quetzal.bench.fault.Fault;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults 4, 5, 8 and 9 of docs/reliability.md on one one-broker stack ({@link FaultRuns}): Redis and MongoDB
 * down, an ingest whose clock runs fast, and Redis killed right after a burst.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultRunsStoresAndClockIT {

  @RegisterExtension
  static final FaultRuns runs = FaultRuns.onBrokers(1);

  @Test
  @Order(1)
  @Timeout(180)
  void redisDownTenSecondsLosesAndDoublesNothing() {
    runs.runAndCheck(Fault.REDIS);
  }

  @Test
  @Order(2)
  @Timeout(180)
  void mongoDownTenSecondsLosesAndDoublesNothing() {
    runs.runAndCheck(Fault.MONGODB);
  }

  @Test
  @Order(3)
  @Timeout(180)
  void anIngestFiveMinutesFastGetsNothingRejectedAsLate() {
    runs.runAndCheck(Fault.CLOCK_SKEW);
  }

  @Test
  @Order(4)
  @Timeout(180)
  void redisKilledRightAfterABurstLosesNothing() {
    runs.runAndCheck(Fault.REDIS_AFTER_BURST);
  }
}
