package gt.quetzal.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The contest's bands and albums, as read from a catalog file such as {@code config/catalog.json}.
 * Optional for the streams app (no catalog: any well-formed vote counts); the demo uses one.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Catalog(String contest, List<Band> bands) {

  public Catalog {
    bands = List.copyOf(Objects.requireNonNull(bands, "bands"));
    if (bands.isEmpty()) {
      throw new IllegalArgumentException("a catalog needs at least one band");
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Band(String name, List<Album> albums) {
    public Band {
      Objects.requireNonNull(name, "band name");
      albums = List.copyOf(Objects.requireNonNull(albums, "albums of " + name));
      if (albums.isEmpty()) {
        throw new IllegalArgumentException("band " + name + " has no albums");
      }
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Album(String title, int year) {
    public Album {
      Objects.requireNonNull(title, "album title");
    }
  }

  public static Catalog load(Path file) {
    try {
      return Json.MAPPER.readValue(Files.readAllBytes(file), Catalog.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read catalog " + file, e);
    }
  }
}
