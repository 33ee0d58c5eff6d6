package gt.quetzal.bench.fault;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.bench.fault.VoteOutcome.Result;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultResultTest {

  private static VoteOutcome acked(String id, String band) {
    return new VoteOutcome(id, "http", band, Result.ACKNOWLEDGED, 1, 0, false, 0);
  }

  private static VoteOutcome unavailable(String id, String band) {
    return new VoteOutcome(id, "grpc", band, Result.UNAVAILABLE, 3, 3, false, 0);
  }

  private static final List<VoteOutcome> VOTES = List.of(
      acked("r.h0", "A"), acked("r.g1", "B"), new VoteOutcome("r.h2", "http", "A", Result.ACKNOWLEDGED, 2, 1, false, 0),
      unavailable("r.g3", "B"), unavailable("r.h4", "A"));

  @Test
  void everyAcknowledgedVoteOnceInBothStoresPasses() {
    FaultResult r = FaultResult.judge("r", VOTES, Set.of("r.h0", "r.g1", "r.h2"), Map.of("A", 2L, "B", 1L));

    assertThat(r.consistent()).isTrue();
    assertThat(r.sent()).isEqualTo(5);
    assertThat(r.acknowledged()).isEqualTo(3);
    assertThat(r.unacknowledged()).isEqualTo(2);
    assertThat(r.counted()).isEqualTo(3);
    assertThat(r.stored()).isEqualTo(3);
    assertThat(r.lost()).isZero();
    assertThat(r.duplicated()).isZero();
    assertThat(r.retriedVotes()).isEqualTo(3);
    assertThat(r.uncertainAttempts()).isEqualTo(7);
  }

  @Test
  void aVoteAnswered503ButWrittenCountsOnceAsAcceptedWithoutAck() {
    FaultResult r = FaultResult.judge("r", VOTES, Set.of("r.h0", "r.g1", "r.h2", "r.g3"), Map.of("A", 2L, "B", 2L));

    assertThat(r.consistent()).isTrue();
    assertThat(r.acceptedWithoutAck()).isEqualTo(1);
    assertThat(r.duplicated()).isZero();
    assertThat(r.lost()).isZero();
  }

  @Test
  void anAcknowledgedVoteMissingFromMongoIsLost() {
    FaultResult r = FaultResult.judge("r", VOTES, Set.of("r.h0", "r.g1"), Map.of("A", 2L, "B", 1L));

    assertThat(r.lost()).isEqualTo(1);
    assertThat(r.duplicated()).isZero();
    assertThat(r.problems()).singleElement().asString().contains("disagree").contains("A");
    assertThat(r.consistent()).isFalse();
  }

  @Test
  void anAcknowledgedVoteMissingFromRedisIsLost() {
    FaultResult r = FaultResult.judge("r", VOTES, Set.of("r.h0", "r.g1", "r.h2"), Map.of("A", 1L, "B", 1L));

    assertThat(r.lost()).isEqualTo(1);
    assertThat(r.consistent()).isFalse();
  }

  @Test
  void aVoteCountedTwiceInRedisIsDuplicatedEvenIfItWasOnlyRetried() {
    // r.g3 got 503 twice and landed once: Redis counting B three times means one vote was counted twice.
    FaultResult r = FaultResult.judge("r", VOTES, Set.of("r.h0", "r.g1", "r.h2", "r.g3"), Map.of("A", 2L, "B", 3L));

    assertThat(r.duplicated()).isEqualTo(1);
    assertThat(r.lost()).isZero();
    assertThat(r.consistent()).isFalse();
  }

  @Test
  void aStoredVoteNobodySentIsAProblem() {
    FaultResult r = FaultResult.judge("r", VOTES, Set.of("r.h0", "r.g1", "r.h2", "r.h99"), Map.of("A", 2L, "B", 1L));

    assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("never sent").contains("r.h99"));
  }

  @Test
  void passingNeedsTheFaultToHaveHappened() {
    FaultResult clean = FaultResult.judge("r", VOTES, Set.of("r.h0", "r.g1", "r.h2"), Map.of("A", 2L, "B", 1L));

    assertThat(clean.withFault(Fault.REDIS, new FaultEvidence(true, "down"), 0, List.of(), 1, 10, new FaultResult.RecountCheck(true, "agrees")).passed()).isTrue();
    assertThat(clean.withFault(Fault.REDIS, new FaultEvidence(false, "never down"), 0, List.of(), 1, 10, new FaultResult.RecountCheck(true, "agrees")).passed()).isFalse();
    assertThat(FaultReport.markdown(List.of(clean.withFault(Fault.REDIS, new FaultEvidence(true, "down"), 0, List.of(), 1, 10, new FaultResult.RecountCheck(true, "agrees")))))
        .contains("| 4 | Redis down 10 s | 10 | 3 | 0 | 0 | agrees | 0.0 | PASS |");
    assertThat(clean.withFault(Fault.REDIS, new FaultEvidence(true, "down"), 0, List.of(), 1, 10,
        new FaultResult.RecountCheck(false, "DIFFERS")).passed()).as("a recount that differs fails the run").isFalse();
  }

  @Test
  void theLongestWaitOfAVoteThatMetAnUnknownAnswerIsTheUnavailableWindow() {
    List<VoteOutcome> votes = List.of(
        new VoteOutcome("r.h0", "http", "A", Result.ACKNOWLEDGED, 1, 0, false, 30_000),
        new VoteOutcome("r.b1", "batch", "A", Result.ACKNOWLEDGED, 3, 2, false, 7_500),
        new VoteOutcome("r.s2", "stream", "A", Result.ACKNOWLEDGED, 2, 1, false, 4_000));

    FaultResult r = FaultResult.judge("r", votes, Set.of("r.h0", "r.b1", "r.s2"), Map.of("A", 3L));

    assertThat(r.maxUnavailableMillis()).as("a slow vote that never met an unknown answer does not count")
        .isEqualTo(7_500);
    assertThat(r.slowestAckMillis()).isEqualTo(30_000);
    assertThat(r.acknowledgedPerRoute()).containsExactlyInAnyOrderEntriesOf(Map.of("http", 1L, "batch", 1L, "stream", 1L));
  }

  @Test
  void aDeliberateResendIsNotARetry() {
    List<VoteOutcome> votes = List.of(
        new VoteOutcome("r.h0", "http", "A", Result.ACKNOWLEDGED, 2, 0, true, 0),
        new VoteOutcome("r.h1", "http", "A", Result.ACKNOWLEDGED, 3, 1, true, 0));

    FaultResult r = FaultResult.judge("r", votes, Set.of("r.h0", "r.h1"), Map.of("A", 2L));

    assertThat(r.resentVotes()).isEqualTo(2);
    assertThat(r.retriedVotes()).isEqualTo(1);
    assertThat(r.consistent()).isTrue();
  }

  @Test
  void faultNumbersParse() {
    assertThat(FaultsMain.parse(new String[] {"1", "4"})).containsExactly(Fault.BROKER, Fault.REDIS);
    assertThat(FaultsMain.parse(new String[0])).hasSize(9);
    assertThat(Fault.byNumber(7)).isEqualTo(Fault.BROKER_OF_THREE);
    assertThat(Fault.byNumber(6)).isEqualTo(Fault.WHOLE_STACK);
  }
}
