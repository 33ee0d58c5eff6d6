package gt.quetzal.load.reconcile;

import static gt.quetzal.load.reconcile.ReconcileFixtures.CLASSIFIER;
import static gt.quetzal.load.reconcile.ReconcileFixtures.vote;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VoteClassifierTest {

  @Test
  void matchesLikeTheStreamsAppCaseSpacingAndDecomposedAccentsAside() {
    // "e" + combining acute, odd case and spacing: still the catalog's band, under its own spelling.
    VoteClassifier.Fate fate = CLASSIFIER.classify(vote("  malacates  TRE\u0301BOL shop ", "resaca", "2002", "9"));

    assertThat(fate.counted()).isTrue();
    assertThat(fate.band()).isEqualTo("Malacates Trébol Shop");
  }

  @Test
  void accentsAreNeverDroppedSoAnUnaccentedNameIsAnotherBand() {
    assertThat(CLASSIFIER.classify(vote("Malacates Trebol Shop", "Resaca", "2002", "9")).reason())
        .isEqualTo(VoteClassifier.UNKNOWN_BAND);
  }

  @Test
  void aKnownBandWithAnotherBandsAlbumIsAnUnknownAlbum() {
    assertThat(CLASSIFIER.classify(vote("Alux Nahual", "Resaca", "2002", "9")).reason())
        .isEqualTo(VoteClassifier.UNKNOWN_ALBUM);
  }

  @Test
  void withoutACatalogEveryVoteCountsUnderItsTrimmedName() {
    VoteClassifier.Fate fate = VoteClassifier.withoutCatalog().classify(vote(" Anyone ", "Anything", "2000", "1"));

    assertThat(fate.band()).isEqualTo("Anyone");
    assertThat(fate.reason()).isNull();
  }
}
