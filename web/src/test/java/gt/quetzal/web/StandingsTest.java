package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandingsTest {

  @Test
  void sortsHighestFirstAndComputesShares() {
    Standings standings =
        Standings.of(
            new StandingsReader.Snapshot(
                Map.of("Alux Nahual", 30L, "Malacates Trébol Shop", 50L, "Bohemia Suburbana", 20L), 1234L));

    assertThat(standings.bands())
        .extracting(Standings.Band::name)
        .containsExactly("Malacates Trébol Shop", "Alux Nahual", "Bohemia Suburbana");
    assertThat(standings.bands()).extracting(Standings.Band::total).containsExactly(50L, 30L, 20L);
    assertThat(standings.bands().get(0).share()).isCloseTo(0.5, within(1e-9));
    assertThat(standings.bands().get(1).share()).isCloseTo(0.3, within(1e-9));
    assertThat(standings.bands().get(2).share()).isCloseTo(0.2, within(1e-9));
    assertThat(standings.total()).isEqualTo(100L);
    assertThat(standings.updatedAt()).isEqualTo(1234L);
  }

  @Test
  void tiesAreOrderedByNameSoTheListDoesNotJump() {
    Standings standings =
        Standings.of(new StandingsReader.Snapshot(Map.of("Viernes Verde", 7L, "Extravaganza", 7L, "Ángeles", 9L), null));
    assertThat(standings.bands())
        .extracting(Standings.Band::name)
        .containsExactly("Ángeles", "Extravaganza", "Viernes Verde");
  }

  @Test
  void noVotesMeansZeroSharesAndNoUpdateTime() {
    Standings standings = Standings.of(new StandingsReader.Snapshot(Map.of("Alux Nahual", 0L), null));
    assertThat(standings.total()).isZero();
    assertThat(standings.bands().get(0).share()).isZero();
    assertThat(standings.updatedAt()).isNull();
    assertThat(Standings.of(new StandingsReader.Snapshot(Map.of(), null)).bands()).isEmpty();
  }

  @Test
  void eachBandCarriesItsOwnAlbumsMostVotedFirst() {
    Standings standings =
        Standings.of(
            new StandingsReader.Snapshot(
                Map.of("Alux Nahual", 10L, "Bohemia Suburbana", 4L),
                List.of(
                    new AlbumStat("Alux Nahual", "Hermanos", 3, 70.0, 50, 90),
                    new AlbumStat("Alux Nahual", "Alux Nahual", 7, 81.5, 60, 100),
                    new AlbumStat("Bohemia Suburbana", "Mi Casa", 4, 55.0, 10, 99),
                    new AlbumStat("Nobody", "Orphan", 1, 1.0, 1, 1)),
                Map.of(),
                null));
    assertThat(standings.bands().get(0).albums())
        .containsExactly(
            new Standings.Album("Alux Nahual", 7, 81.5, 60, 100), new Standings.Album("Hermanos", 3, 70.0, 50, 90));
    assertThat(standings.bands().get(1).albums()).extracting(Standings.Album::album).containsExactly("Mi Casa");
    // An album of a band without a total is not shown: the band totals decide who is in the standings.
    assertThat(standings.bands()).extracting(Standings.Band::name).doesNotContain("Nobody");
  }
}
