package gt.quetzal.contract;

import java.util.Objects;

/** Key of {@code tallies.albums}: one album of one band. Serialised as JSON, field order fixed. */
public record AlbumKey(String band, String album) {

  public AlbumKey {
    Objects.requireNonNull(band, "band");
    Objects.requireNonNull(album, "album");
  }

  /** The human label used as a Redis hash field and a Grafana pie slice: "Band — Album". */
  public String label() {
    return band + " — " + album;
  }
}
