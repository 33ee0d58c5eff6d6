package gt.quetzal.contract;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contest as folded from the {@code contest.catalog} topic, record by record, by every reader of
 * it (the streams app's global store, ingest's cache, the sinks, the contest tool). Records that are
 * not a valid {@link CatalogEntry} under their key are skipped and logged, so that one bad record
 * cannot stop a reader. Not thread-safe: readers publish {@link #index()} snapshots instead.
 */
public final class ContestState {

  private static final Logger log = LoggerFactory.getLogger(ContestState.class);

  private CatalogEntry.Contest header;
  /** By record key, in the order the bands first arrived. */
  private final Map<String, CatalogEntry.Band> bands = new LinkedHashMap<>();
  private CatalogIndex index = CatalogIndex.OPEN;

  /**
   * Folds one record of the topic in.
   *
   * @param value the record's bytes, {@code null} for a tombstone
   * @return whether the record was taken (a bad one is skipped)
   */
  public boolean apply(String key, byte[] value) {
    if (key == null) {
      log.warn("contest.catalog: skipped a record without a key");
      return false;
    }
    if (value == null) {
      return apply(key, (CatalogEntry) null);
    }
    CatalogEntry entry;
    try {
      entry = Json.MAPPER.readValue(value, CatalogEntry.class);
    } catch (IOException | RuntimeException e) {
      log.warn("contest.catalog: skipped an unreadable record under key \"{}\": {}", key, e.getMessage());
      return false;
    }
    return apply(key, entry);
  }

  /** Like {@link #apply(String, byte[])} for a decoded record; {@code null} is a tombstone. */
  public boolean apply(String key, CatalogEntry entry) {
    boolean contestKey = CatalogEntry.CONTEST_KEY.equals(key);
    if (entry == null) {
      if (contestKey) {
        header = null;
      } else {
        bands.remove(key);
      }
      return rebuild();
    }
    if (entry instanceof CatalogEntry.Contest contest && contestKey) {
      header = contest;
      return rebuild();
    }
    if (entry instanceof CatalogEntry.Band band && !contestKey && isUsable(key, band)) {
      bands.put(key, band);
      return rebuild();
    }
    log.warn("contest.catalog: skipped a {} record under key \"{}\"", entry.getClass().getSimpleName(), key);
    return false;
  }

  /** A band whose key is its folded name and whose albums are unambiguous; keys keep bands apart. */
  private static boolean isUsable(String key, CatalogEntry.Band band) {
    if (band.name().isBlank() || band.albums().isEmpty() || !key.equals(CatalogEntry.keyOf(band.name()))) {
      return false;
    }
    try {
      CatalogIndex.of("", List.of(band.toCatalogBand()));
      return true;
    } catch (IllegalArgumentException | NullPointerException e) {
      return false;
    }
  }

  private boolean rebuild() {
    index = header == null || header.open() ? CatalogIndex.OPEN : CatalogIndex.of(header.name(), catalogBands());
    return true;
  }

  private List<Catalog.Band> catalogBands() {
    return bands.values().stream().map(CatalogEntry.Band::toCatalogBand).toList();
  }

  /** What votes are matched against now. */
  public CatalogIndex index() {
    return index;
  }

  /** Whether any contest was applied (a header exists). */
  public boolean applied() {
    return header != null;
  }

  public Optional<CatalogEntry.Contest> header() {
    return Optional.ofNullable(header);
  }

  /** The band records by key, as on the topic (also kept while the contest is open). */
  public Map<String, CatalogEntry.Band> bandRecords() {
    return Map.copyOf(bands);
  }
}
