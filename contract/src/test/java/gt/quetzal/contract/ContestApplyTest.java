package gt.quetzal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code contest apply} writes, and how every reader folds it back. */
class ContestApplyTest {

  private static final Catalog.Band A = new Catalog.Band("Band A", List.of(new Catalog.Album("Uno", 2001)));
  private static final Catalog.Band B = new Catalog.Band("Band B", List.of(new Catalog.Album("Uno", 2002)));
  private static final Catalog TWO = new Catalog("dos", List.of(A, B));

  @Test
  void aFirstApplyWritesEveryBandThenTheHeaderKeyedByFoldedName() {
    List<ContestApply.Change> changes = ContestApply.plan(new ContestState(), TWO);

    assertThat(changes)
        .containsExactly(
            new ContestApply.Change("band a", CatalogEntry.Band.of(A)),
            new ContestApply.Change("band b", CatalogEntry.Band.of(B)),
            new ContestApply.Change("", new CatalogEntry.Contest("dos", false)));
  }

  @Test
  void aSecondApplyWritesOnlyTheDifferenceAndTombstonesRemovedBands() {
    ContestState state = folded(ContestApply.plan(new ContestState(), TWO));
    Catalog.Band a2 = new Catalog.Band("BAND A", List.of(new Catalog.Album("Uno", 2001), new Catalog.Album("Dos", 2003)));
    Catalog.Band c = new Catalog.Band("Band C", List.of(new Catalog.Album("Tres", 2004)));

    List<ContestApply.Change> changes = ContestApply.plan(state, new Catalog("dos", List.of(a2, c)));

    assertThat(changes)
        .containsExactly(
            new ContestApply.Change("band a", CatalogEntry.Band.of(a2)),
            new ContestApply.Change("band c", CatalogEntry.Band.of(c)),
            new ContestApply.Change("band b", null));
    ContestApply.Result result = ContestApply.summarise(state, changes);
    assertThat(result.added()).containsExactly("Band C");
    assertThat(result.changed()).containsExactly("BAND A");
    assertThat(result.removed()).containsExactly("Band B");
    assertThat(result.headerChanged()).isFalse();
    assertThat(ContestApply.plan(folded(state, changes), new Catalog("dos", List.of(a2, c)))).isEmpty();
  }

  @Test
  void anOpenContestRemovesEveryBandAndMatchesAnyName() {
    ContestState state = folded(ContestApply.plan(new ContestState(), TWO));
    assertThat(state.index().isOpen()).isFalse();
    assertThat(state.index().match("band a", "UNO")).isEqualTo(new CatalogIndex.Match.Known("Band A", "Uno"));

    List<ContestApply.Change> open = ContestApply.plan(state, null);
    folded(state, open);

    assertThat(open).hasSize(3).last().isEqualTo(new ContestApply.Change("", new CatalogEntry.Contest("", true)));
    assertThat(state.index().isOpen()).isTrue();
    assertThat(state.index().match("Nadie", "Nada")).isEqualTo(new CatalogIndex.Match.Open("Nadie", "Nada"));
    assertThat(state.bandRecords()).isEmpty();
  }

  @Test
  void nothingAppliedIsAnOpenContest() {
    ContestState state = new ContestState();
    assertThat(state.applied()).isFalse();
    assertThat(state.index().isOpen()).isTrue();
  }

  @Test
  void anAmbiguousCatalogIsRefusedBeforeAnythingIsWritten() {
    Catalog twice = new Catalog("x", List.of(A, new Catalog.Band(" band  A ", List.of(new Catalog.Album("Z", 2000)))));

    assertThatThrownBy(() -> ContestApply.plan(new ContestState(), twice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same name once trimmed and case-folded");
  }

  @Test
  void recordsRoundTripThroughTheTopicSerdeAndBadOnesAreSkipped() {
    ContestState state = new ContestState();
    var serde = Topics.CONTEST_CATALOG.valueSerde();
    for (ContestApply.Change change : ContestApply.plan(new ContestState(), TWO)) {
      assertThat(state.apply(change.key(), serde.serializer().serialize("t", change.entry()))).isTrue();
    }
    assertThat(state.index().size()).isEqualTo(2);

    byte[] band = serde.serializer().serialize("t", CatalogEntry.Band.of(A));
    assertThat(state.apply("not the folded name", band)).isFalse();
    assertThat(state.apply("", band)).as("a band under the header's key").isFalse();
    assertThat(state.apply("band a", "[]".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(state.apply(
            "band z",
            "{\"kind\":\"band\",\"name\":\"Band Z\",\"albums\":[{\"title\":\"X\",\"year\":1},{\"title\":\" x\",\"year\":2}]}"
                .getBytes(StandardCharsets.UTF_8)))
        .as("albums that fold to one name")
        .isFalse();
    assertThat(state.index().size()).isEqualTo(2);
    assertThat(state.apply("band a", (byte[]) null)).isTrue();
    assertThat(state.index().bands()).extracting(Catalog.Band::name).containsExactly("Band B");
  }

  private static ContestState folded(List<ContestApply.Change> changes) {
    return folded(new ContestState(), changes);
  }

  private static ContestState folded(ContestState state, List<ContestApply.Change> changes) {
    changes.forEach(change -> state.apply(change.key(), change.entry()));
    return state;
  }
}
