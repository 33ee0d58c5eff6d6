package gt.quetzal.load.reconcile;

import static gt.quetzal.load.reconcile.ReconcileFixtures.CLASSIFIER;
import static gt.quetzal.load.reconcile.ReconcileFixtures.TRAFFIC;
import static gt.quetzal.load.reconcile.ReconcileFixtures.send;
import static gt.quetzal.load.reconcile.Send.Outcome.ACCEPTED;
import static gt.quetzal.load.reconcile.Send.Outcome.FAILED;
import static gt.quetzal.load.reconcile.Send.Outcome.REJECTED;
import static gt.quetzal.load.reconcile.Send.Outcome.UNFINISHED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.Stats;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectationTest {

  private static Expectation expect(Send... sends) {
    return Expectation.of(new RunLog(List.of(sends), List.of()), TRAFFIC, CLASSIFIER);
  }

  @Test
  void aRepeatedValidVoteCountsOnceAndTheRestAreDuplicates() {
    Expectation e = expect(send("r.http.0.a", 0, ACCEPTED), send("r.http.0.a", 0, ACCEPTED), send("r.http.0.a", 0, ACCEPTED));

    assertThat(e.stat(Stats.ACCEPTED)).isEqualTo(Range.exactly(1));
    assertThat(e.stat(Stats.DUPLICATES)).isEqualTo(Range.exactly(2));
    assertThat(e.stat(Stats.REJECTED)).isEqualTo(Range.ZERO);
    assertThat(e.bands()).containsExactly(java.util.Map.entry("Alux Nahual", Range.exactly(1)));
    assertThat(e.verdicts()).isEqualTo(Range.exactly(3));
    assertThat(e.ingestAccepted()).isEqualTo(3);
    assertThat(e.mustBeStored()).containsExactly("r.http.0.a");
  }

  @Test
  void catalogMisfitsAreRejectedOnEveryCopyWithTheirReason() {
    Expectation e = expect(send("r.1", 2, ACCEPTED), send("r.1", 2, ACCEPTED), send("r.2", 3, ACCEPTED));

    assertThat(e.stat(Stats.rejected(VoteClassifier.UNKNOWN_BAND))).isEqualTo(Range.exactly(2));
    assertThat(e.stat(Stats.rejected(VoteClassifier.UNKNOWN_ALBUM))).isEqualTo(Range.exactly(1));
    assertThat(e.stat(Stats.REJECTED)).isEqualTo(Range.exactly(3));
    assertThat(e.stat(Stats.ACCEPTED)).isEqualTo(Range.ZERO);
    assertThat(e.mustBeStored()).isEmpty();
    assertThat(e.acceptedIds()).containsExactlyInAnyOrder("r.1", "r.2");
  }

  @Test
  void votesRefusedAtTheDoorLeaveNoTrace() {
    Expectation e = expect(send("r.x", 4, REJECTED));

    assertThat(e.verdicts()).isEqualTo(Range.ZERO);
    assertThat(e.stats().values()).allMatch(Range.ZERO::equals);
    assertThat(e.acceptedIds()).isEmpty();
  }

  @Test
  void unansweredAndRetriedVotesWidenTheRangesInsteadOfBeingGuessed() {
    Expectation e =
        expect(
            send("r.f", "http", 1, FAILED, 3), // three attempts, any of which may have landed
            send("r.u", "grpc", 0, UNFINISHED, 1),
            send("r.ok", "http", 0, ACCEPTED, 2)); // one earlier attempt may have landed too

    assertThat(e.stat(Stats.ACCEPTED)).isEqualTo(new Range(1, 3));
    assertThat(e.stat(Stats.DUPLICATES)).isEqualTo(new Range(0, 3));
    assertThat(e.band("Malacates Trébol Shop")).isEqualTo(new Range(0, 1));
    assertThat(e.band("Alux Nahual")).isEqualTo(new Range(1, 2));
    assertThat(e.verdicts()).isEqualTo(new Range(1, 6));
    assertThat(e.mustBeStored()).containsExactly("r.ok");
    assertThat(e.mayBeStored()).containsExactlyInAnyOrder("r.ok", "r.f", "r.u");
  }

  @Test
  void aRowBeyondTheTrafficFileMeansTheWrongFile() {
    assertThatThrownBy(() -> expect(send("r.z", 99, ACCEPTED)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row 99")
        .hasMessageContaining("5 rows");
  }
}
