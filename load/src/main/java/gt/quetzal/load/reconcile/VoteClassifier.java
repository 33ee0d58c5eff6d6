package gt.quetzal.load.reconcile;

import gt.quetzal.contract.Catalog;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Predicts what the streams app does with a vote ingest accepted: count it under its band's canonical
 * name, or reject it as {@code unknown_band} / {@code unknown_album}. It matches names the way the
 * streams app's catalog does (trim, NFC, whitespace runs collapsed, case-folded through upper then
 * lower case in {@link Locale#ROOT}; accents kept). That matching is the streams app's own and
 * package-private, so it is restated here; if the two ever drift, the reconciliation's per-reason and
 * per-band checks fail and say so, while the checks that need no prediction (every verdict accounted
 * for, the mirrors agreeing with the streams app) still hold.
 */
public final class VoteClassifier {

  public static final String UNKNOWN_BAND = "unknown_band";
  public static final String UNKNOWN_ALBUM = "unknown_album";

  /** Counted under {@code band}, or rejected with {@code reason}; exactly one is non-null. */
  public record Fate(String band, String reason) {
    public boolean counted() {
      return band != null;
    }
  }

  private static final Pattern WHITESPACE_RUN = Pattern.compile("\\s+");

  private record Band(String name, Set<String> foldedAlbums) {}

  /** folded band name → the band; null without a catalog. */
  private final Map<String, Band> bands;

  private VoteClassifier(Map<String, Band> bands) {
    this.bands = bands;
  }

  /** Every well-formed vote counts under its trimmed, NFC name: the streams app without CATALOG_FILE. */
  public static VoteClassifier withoutCatalog() {
    return new VoteClassifier(null);
  }

  public static VoteClassifier of(Catalog catalog) {
    Map<String, Band> bands = new HashMap<>();
    for (Catalog.Band band : catalog.bands()) {
      Set<String> albums = new HashSet<>();
      band.albums().forEach(a -> albums.add(fold(a.title())));
      bands.put(fold(band.name()), new Band(normalise(band.name()), Set.copyOf(albums)));
    }
    return new VoteClassifier(Map.copyOf(bands));
  }

  public Fate classify(Map<String, String> vote) {
    String name = vote.getOrDefault("name", "");
    if (bands == null) {
      return new Fate(normalise(name), null);
    }
    Band band = bands.get(fold(name));
    if (band == null) {
      return new Fate(null, UNKNOWN_BAND);
    }
    if (!band.foldedAlbums().contains(fold(vote.getOrDefault("album", "")))) {
      return new Fate(null, UNKNOWN_ALBUM);
    }
    return new Fate(band.name(), null);
  }

  static String normalise(String name) {
    String trimmed = name.strip();
    return Normalizer.normalize(trimmed, Normalizer.Form.NFC);
  }

  static String fold(String name) {
    String collapsed = WHITESPACE_RUN.matcher(normalise(name)).replaceAll(" ");
    return Normalizer.normalize(collapsed.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT), Normalizer.Form.NFC);
  }
}
