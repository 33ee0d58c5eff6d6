package gt.quetzal.streams;

import gt.quetzal.contract.Catalog;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The contest catalog prepared for lookups: folded name ({@link Names#fold}) to canonical name, for
 * bands and, per band, for albums. Immutable and thread-safe once built.
 */
final class CatalogIndex {

  /** What a vote's band and album are in the catalog. */
  sealed interface Match {
    /** Both known; the canonical spellings to emit downstream. */
    record Known(String band, String album) implements Match {}

    record UnknownBand() implements Match {}

    /** The band is known (its canonical name given), the album is not one of its albums. */
    record UnknownAlbum(String band) implements Match {}
  }

  /** By folded name: what any spelling is matched against. */
  private final Map<String, BandEntry> bands;

  /**
   * By canonical spelling: most votes carry the catalog's own spelling (the web form and the demo
   * driver send it), and an exact hit skips folding, which is the costly part of a lookup.
   */
  private final Map<String, BandEntry> exactBands;

  /**
   * @param albums      folded title to canonical title
   * @param exactAlbums the canonical titles
   */
  private record BandEntry(String name, Map<String, String> albums, Set<String> exactAlbums) {}

  private CatalogIndex(Map<String, BandEntry> bands) {
    this.bands = bands;
    Map<String, BandEntry> exact = new HashMap<>();
    bands.values().forEach(entry -> exact.put(entry.name(), entry));
    this.exactBands = Map.copyOf(exact);
  }

  /**
   * @throws IllegalArgumentException when two bands, or two albums of one band, fold to the same key
   *     (the catalog would be ambiguous), or a name is blank
   */
  static CatalogIndex of(Catalog catalog) {
    Map<String, BandEntry> bands = new HashMap<>();
    for (Catalog.Band band : catalog.bands()) {
      String bandKey = key(band.name(), "band name");
      Map<String, String> albums = new HashMap<>();
      for (Catalog.Album album : band.albums()) {
        String albumKey = key(album.title(), "album title of " + band.name());
        String clash = albums.putIfAbsent(albumKey, Names.normalise(album.title()));
        if (clash != null) {
          throw new IllegalArgumentException(
              "albums \"" + clash + "\" and \"" + album.title() + "\" of " + band.name()
                  + " are the same name once trimmed and case-folded");
        }
      }
      BandEntry clash =
          bands.putIfAbsent(
              bandKey,
              new BandEntry(
                  Names.normalise(band.name()),
                  Map.copyOf(albums),
                  Set.copyOf(albums.values())));
      if (clash != null) {
        throw new IllegalArgumentException(
            "bands \"" + clash.name() + "\" and \"" + band.name()
                + "\" are the same name once trimmed and case-folded");
      }
    }
    return new CatalogIndex(Map.copyOf(bands));
  }

  private static String key(String name, String what) {
    if (name.isBlank()) {
      throw new IllegalArgumentException("a " + what + " is blank");
    }
    return Names.fold(name);
  }

  /** The canonical spelling of a band, if the catalog has it. */
  Optional<String> band(String name) {
    BandEntry entry = entry(name);
    return entry == null ? Optional.empty() : Optional.of(entry.name());
  }

  Match match(String band, String album) {
    BandEntry entry = entry(band);
    if (entry == null) {
      return new Match.UnknownBand();
    }
    if (entry.exactAlbums().contains(album)) {
      return new Match.Known(entry.name(), album);
    }
    String canonicalAlbum = entry.albums().get(Names.fold(album));
    return canonicalAlbum == null
        ? new Match.UnknownAlbum(entry.name())
        : new Match.Known(entry.name(), canonicalAlbum);
  }

  private BandEntry entry(String band) {
    BandEntry exact = exactBands.get(band);
    return exact != null ? exact : bands.get(Names.fold(band));
  }

  int size() {
    return bands.size();
  }
}
