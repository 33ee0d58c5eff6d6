package gt.quetzal.contract;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The contest as ingest and the streams app match votes against it: either a catalog (folded name,
 * {@link Names#fold}, to canonical name, for bands and, per band, for albums) or an open contest,
 * where every well-formed band and album counts. Immutable and thread-safe once built.
 */
public final class CatalogIndex {

  /** Every name counts; the streams app decides each name's displayed spelling. */
  public static final CatalogIndex OPEN = new CatalogIndex(null, Map.of(), List.of());

  /** What a vote's band and album are in the contest. */
  public sealed interface Match {
    /** Both known; the canonical spellings to emit downstream. */
    record Known(String band, String album) implements Match {}

    record UnknownBand() implements Match {}

    /** The band is known (its canonical name given), the album is not one of its albums. */
    record UnknownAlbum(String band) implements Match {}

    /** An open contest: any name counts, spelled as given (trimmed, NFC) until spelled once. */
    record Open(String band, String album) implements Match {}
  }

  private final String contest;

  /** By folded name: what any spelling is matched against. */
  private final Map<String, BandEntry> bands;

  /**
   * By canonical spelling: most votes carry the catalog's own spelling (the web form and the demo
   * driver send it), and an exact hit skips folding, which is the costly part of a lookup.
   */
  private final Map<String, BandEntry> exactBands;

  /** The catalog's bands in its own order, for listing; empty when open. */
  private final List<Catalog.Band> listing;

  /**
   * @param albums      folded title to canonical title
   * @param exactAlbums the canonical titles
   */
  private record BandEntry(String name, Map<String, String> albums, Set<String> exactAlbums) {}

  private CatalogIndex(String contest, Map<String, BandEntry> bands, List<Catalog.Band> listing) {
    this.contest = contest;
    this.bands = bands;
    Map<String, BandEntry> exact = new HashMap<>();
    bands.values().forEach(entry -> exact.put(entry.name(), entry));
    this.exactBands = Map.copyOf(exact);
    this.listing = List.copyOf(listing);
  }

  /**
   * @throws IllegalArgumentException when two bands, or two albums of one band, fold to the same key
   *     (the catalog would be ambiguous), or a name is blank
   */
  public static CatalogIndex of(Catalog catalog) {
    return of(catalog.contest(), catalog.bands());
  }

  /** Like {@link #of(Catalog)}, for a catalog with no bands left (every vote is then unknown). */
  public static CatalogIndex of(String contest, List<Catalog.Band> catalogBands) {
    Map<String, BandEntry> bands = new HashMap<>();
    for (Catalog.Band band : catalogBands) {
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
    return new CatalogIndex(contest == null ? "" : contest, Map.copyOf(bands), catalogBands);
  }

  private static String key(String name, String what) {
    if (name.isBlank()) {
      throw new IllegalArgumentException("a " + what + " is blank");
    }
    return Names.fold(name);
  }

  public boolean isOpen() {
    return contest == null;
  }

  /** The contest's name; empty for an open contest. */
  public String contest() {
    return contest == null ? "" : contest;
  }

  /** The canonical spelling of a band, if the catalog has it; any name in an open contest. */
  public Optional<String> band(String name) {
    if (isOpen()) {
      return name.isBlank() ? Optional.empty() : Optional.of(Names.normalise(name));
    }
    BandEntry entry = entry(name);
    return entry == null ? Optional.empty() : Optional.of(entry.name());
  }

  /** @param band, album trimmed and NFC ({@link Names#normalise}) */
  public Match match(String band, String album) {
    if (isOpen()) {
      return new Match.Open(band, album);
    }
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

  /** The catalog's bands, in catalog order; empty for an open contest. */
  public List<Catalog.Band> bands() {
    return listing;
  }

  public int size() {
    return bands.size();
  }
}
