package gt.quetzal.streams;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place a band or album name is canonicalised before it becomes a key. Public so that tools
 * deriving a contest (e.g. {@link gt.quetzal.streams.contest.TrafficCatalog}) fold names by the same rule.
 */
public final class Names {

  private static final Pattern WHITESPACE_RUN = Pattern.compile("\\s+");

  private Names() {}

  /**
   * Trims and NFC-normalises. Ingest already does this; doing it again here costs little and keeps
   * "Trébol" typed with a combining accent from becoming a second band. Case is kept: matching
   * names case-insensitively belongs to the catalog, which knows each band's canonical spelling.
   */
  public static String normalise(String name) {
    String trimmed = name.strip();
    return Normalizer.isNormalized(trimmed, Normalizer.Form.NFC)
        ? trimmed
        : Normalizer.normalize(trimmed, Normalizer.Form.NFC);
  }

  /**
   * The catalog's matching key: {@link #normalise}, runs of whitespace collapsed to one space, then
   * case-folded. Folding goes through upper case first so that e.g. "ß" meets "SS"; {@link
   * Locale#ROOT} keeps a Turkish default locale from turning "I" into a dotless "ı". A final NFC pass
   * recomposes anything the case mapping decomposed. Accents are never stripped: "Trebol" and
   * "Trébol" are different names.
   */
  public static String fold(String name) {
    String collapsed = WHITESPACE_RUN.matcher(normalise(name)).replaceAll(" ");
    String folded = collapsed.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    return Normalizer.normalize(folded, Normalizer.Form.NFC);
  }
}
