package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VoteRateTest {

  private static final long T0 = 1_767_225_600_000L;

  @Test
  void noHistoryMeansNoRate() {
    VoteRate rate = new VoteRate();
    assertThat(rate.perSecond(T0)).isZero();
    rate.record(T0, 5_000); // votes from before the app started are not "now"
    assertThat(rate.perSecond(T0 + 5_000)).isZero();
  }

  @Test
  void measuresGrowthOverTheLastWindow() {
    VoteRate rate = new VoteRate();
    for (int s = 0; s <= 30; s++) {
      rate.record(T0 + s * 1_000L, 100L * s); // 100 votes/s for 30 s
    }
    assertThat(rate.perSecond(T0 + 30_000)).isEqualTo(100.0);
  }

  @Test
  void aYoungMeterUsesTheHistoryItHas() {
    VoteRate rate = new VoteRate();
    rate.record(T0, 0);
    rate.record(T0 + 2_000, 30);
    assertThat(rate.perSecond(T0 + 2_000)).isEqualTo(15.0);
    assertThat(rate.perSecond(T0 + 500)).isZero(); // under a second of history: too noisy to show
  }

  @Test
  void decaysToZeroWhenTheVotesStop() {
    VoteRate rate = new VoteRate();
    for (int s = 0; s <= 20; s++) {
      rate.record(T0 + s * 1_000L, 50L * s);
    }
    assertThat(rate.perSecond(T0 + 25_000)).isEqualTo(25.0); // half the window still had votes
    assertThat(rate.perSecond(T0 + 30_001)).isZero();
  }

  @Test
  void aCounterThatGoesDownRestartsTheMeasurement() {
    VoteRate rate = new VoteRate();
    rate.record(T0, 1_000);
    rate.record(T0 + 5_000, 2_000);
    rate.record(T0 + 6_000, 10); // the mirror was reset
    assertThat(rate.perSecond(T0 + 6_000)).isZero();
    rate.record(T0 + 8_000, 30);
    assertThat(rate.perSecond(T0 + 8_000)).isEqualTo(10.0);
  }
}
