package gt.quetzal.contract;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;

/**
 * One record of the {@code contest.catalog} topic ({@link Topics#CONTEST_CATALOG}). The topic is
 * compacted, so its latest record per key is the contest:
 *
 * <ul>
 *   <li>key {@value #CONTEST_KEY} (empty: no band name is blank): the {@link Contest} header, its
 *       name and whether it is open;
 *   <li>key {@link #keyOf(String) fold(band name)}: a {@link Band} with its albums, or a tombstone
 *       when the band was removed.
 * </ul>
 *
 * No header means nothing was applied yet: an open contest, as when the streams app ran without a
 * catalog. In an open contest band records are ignored.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CatalogEntry.Contest.class, name = "contest"),
  @JsonSubTypes.Type(value = CatalogEntry.Band.class, name = "band")
})
public sealed interface CatalogEntry {

  String CONTEST_KEY = "";

  /** @param open every well-formed band and album counts; band records are ignored */
  record Contest(String name, boolean open) implements CatalogEntry {
    public Contest {
      name = name == null ? "" : name;
    }
  }

  record Band(String name, List<Catalog.Album> albums) implements CatalogEntry {
    public Band {
      Objects.requireNonNull(name, "band name");
      albums = List.copyOf(Objects.requireNonNull(albums, "albums of " + name));
    }

    public static Band of(Catalog.Band band) {
      return new Band(band.name(), band.albums());
    }

    public Catalog.Band toCatalogBand() {
      return new Catalog.Band(name, albums);
    }
  }

  /** The record key of a band: any spelling of one band lands on the same key. */
  static String keyOf(String bandName) {
    return Names.fold(bandName);
  }
}
