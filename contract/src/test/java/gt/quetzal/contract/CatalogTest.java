package gt.quetzal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {

  @Test
  void theDemoCatalogLoadsWithAccentsIntact() {
    Catalog catalog = Catalog.load(Path.of("..", "config", "catalog.json"));

    assertThat(catalog.bands()).extracting(Catalog.Band::name).contains("Malacates Trébol Shop");
    assertThat(catalog.bands()).allSatisfy(band -> assertThat(band.albums()).isNotEmpty());
  }

  @Test
  void aBandWithoutAlbumsIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.json");
    Files.writeString(file, "{\"bands\":[{\"name\":\"X\",\"albums\":[]}]}");

    assertThatThrownBy(() -> Catalog.load(file)).hasStackTraceContaining("band X has no albums");
  }
}
