package gt.quetzal.load;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Catalog;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VoteSamplerTest {

  private final Catalog catalog = Catalog.load(Path.of("..", "config", "catalog.json"));

  @Test
  void votesUseTheSeedFormatWithStringFieldsFromTheCatalog() {
    Map<String, String> vote = new VoteSampler(catalog, 1.0, new Random(7)).next();

    assertThat(vote).containsOnlyKeys("name", "album", "year", "rank");
    Catalog.Band band =
        catalog.bands().stream().filter(b -> b.name().equals(vote.get("name"))).findFirst().orElseThrow();
    assertThat(band.albums()).extracting(Catalog.Album::title).contains(vote.get("album"));
    assertThat(Integer.parseInt(vote.get("rank"))).isBetween(1, 100);
  }

  @Test
  void sameSeedGivesTheSameVotes() {
    VoteSampler a = new VoteSampler(catalog, 1.0, new Random(42));
    VoteSampler b = new VoteSampler(catalog, 1.0, new Random(42));
    for (int i = 0; i < 100; i++) {
      assertThat(a.next()).isEqualTo(b.next());
    }
  }

  @Test
  void skewMakesTheFirstBandTheFavourite() {
    VoteSampler sampler = new VoteSampler(catalog, 1.0, new Random(1));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(sampler.next().get("name"), 1, Integer::sum);
    }
    String first = catalog.bands().get(0).name();
    String last = catalog.bands().get(catalog.bands().size() - 1).name();
    assertThat(counts.get(first)).isGreaterThan(3 * counts.get(last));
  }

  @Test
  void zeroSkewIsRoughlyUniform() {
    VoteSampler sampler = new VoteSampler(catalog, 0.0, new Random(3));
    Map<String, Integer> counts = new HashMap<>();
    int n = 16_000;
    for (int i = 0; i < n; i++) {
      counts.merge(sampler.next().get("name"), 1, Integer::sum);
    }
    double expected = (double) n / catalog.bands().size();
    assertThat(counts.values()).allSatisfy(c -> assertThat((double) c).isBetween(expected * 0.85, expected * 1.15));
  }
}
