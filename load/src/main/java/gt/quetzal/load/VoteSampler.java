package gt.quetzal.load;

import gt.quetzal.contract.Catalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Draws votes in the seed's traffic format (every field a string) from a catalog, with a Zipf-like
 * popularity skew so the standings have a leader, as a real contest would.
 */
public final class VoteSampler {

  private final List<Catalog.Band> bands;
  private final double[] cumulative;
  private final Random random;

  /**
   * @param skew 0 for uniform popularity; 1 for classic Zipf (band k gets weight 1/k)
   */
  public VoteSampler(Catalog catalog, double skew, Random random) {
    if (skew < 0) {
      throw new IllegalArgumentException("skew must be >= 0");
    }
    this.bands = catalog.bands();
    this.random = random;
    this.cumulative = new double[bands.size()];
    double sum = 0;
    for (int i = 0; i < bands.size(); i++) {
      sum += 1.0 / Math.pow(i + 1, skew);
      cumulative[i] = sum;
    }
    for (int i = 0; i < cumulative.length; i++) {
      cumulative[i] /= sum;
    }
  }

  /** One vote as the seed's Locust traffic sends it: {@code {"name","album","year","rank"}}, strings. */
  public Map<String, String> next() {
    Catalog.Band band = bands.get(pickBand());
    Catalog.Album album = band.albums().get(random.nextInt(band.albums().size()));
    Map<String, String> vote = new LinkedHashMap<>();
    vote.put("name", band.name());
    vote.put("album", album.title());
    vote.put("year", Integer.toString(album.year()));
    vote.put("rank", Integer.toString(1 + random.nextInt(100)));
    return vote;
  }

  private int pickBand() {
    double u = random.nextDouble();
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return i;
      }
    }
    return cumulative.length - 1;
  }
}
