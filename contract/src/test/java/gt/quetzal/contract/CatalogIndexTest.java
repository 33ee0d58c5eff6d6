package gt.quetzal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.Catalog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogIndexTest {

  private static final Catalog CATALOG =
      new Catalog(
          "test",
          List.of(
              new Catalog.Band(
                  "Malacates Trébol Shop",
                  List.of(new Catalog.Album("Crónicas de Mercado", 2009), new Catalog.Album("Resaca", 2002))),
              new Catalog.Band("Straße Sur", List.of(new Catalog.Album("Ícaro", 2020)))));

  private final CatalogIndex index = CatalogIndex.of(CATALOG);

  @Test
  void matchesAfterTrimWhitespaceNfcAndCaseFoldingAndAnswersTheCanonicalSpelling() {
    assertThat(index.match("  MALACATES\ttre\u0301bol   shop ", "crónicas DE mercado"))
        .isEqualTo(new CatalogIndex.Match.Known("Malacates Trébol Shop", "Crónicas de Mercado"));
    assertThat(index.match("STRASSE SUR", "ÍCARO"))
        .as("ß folds like SS")
        .isEqualTo(new CatalogIndex.Match.Known("Straße Sur", "Ícaro"));
    assertThat(index.band("malacates trébol shop")).contains("Malacates Trébol Shop");
  }

  @Test
  void accentsAreNeverStripped() {
    assertThat(index.match("Malacates Trebol Shop", "Resaca")).isEqualTo(new CatalogIndex.Match.UnknownBand());
    assertThat(index.match("Malacates Trébol Shop", "Cronicas de Mercado"))
        .isEqualTo(new CatalogIndex.Match.UnknownAlbum("Malacates Trébol Shop"));
  }

  @Test
  void albumsBelongToTheirBand() {
    assertThat(index.match("Straße Sur", "Resaca"))
        .isEqualTo(new CatalogIndex.Match.UnknownAlbum("Straße Sur"));
  }

  @Test
  void namesThatFoldAlikeMakeTheCatalogAmbiguous() {
    Catalog twice =
        new Catalog(
            "t",
            List.of(
                new Catalog.Band("La Tona", List.of(new Catalog.Album("A", 2000))),
                new Catalog.Band(" LA  TONA", List.of(new Catalog.Album("B", 2001)))));
    assertThatThrownBy(() -> CatalogIndex.of(twice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("La Tona");

    Catalog albumTwice =
        new Catalog(
            "t",
            List.of(new Catalog.Band("X", List.of(new Catalog.Album("Fé", 2000), new Catalog.Album("FÉ", 2001)))));
    assertThatThrownBy(() -> CatalogIndex.of(albumTwice)).hasMessageContaining("Fé");
  }

  @Test
  void theDemoCatalogIsUsable() {
    Catalog demo = Catalog.load(Path.of("..", "config", "catalog.json"));
    CatalogIndex demoIndex = CatalogIndex.of(demo);

    assertThat(demoIndex.size()).isEqualTo(demo.bands().size());
    for (Catalog.Band band : demo.bands()) {
      for (Catalog.Album album : band.albums()) {
        assertThat(demoIndex.match(band.name().toUpperCase(java.util.Locale.ROOT), " " + album.title()))
            .isEqualTo(new CatalogIndex.Match.Known(band.name(), album.title()));
      }
    }
  }
}
