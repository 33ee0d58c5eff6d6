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

  /**
   * The catalog as {@code config/catalog.json} lays it out: two-space indent, one line per album, UTF-8
   * text with accents as they are. {@link Catalog#load} reads it back.
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("{\n");
    out.append("  \"contest\": ").append(quoted(contest)).append(",\n");
    out.append("  \"bands\": [\n");
    for (int b = 0; b < bands.size(); b++) {
      Catalog.Band band = bands.get(b);
      out.append("    {\n");
      out.append("      \"name\": ").append(quoted(band.name())).append(",\n");
      out.append("      \"albums\": [\n");
      for (int a = 0; a < band.albums().size(); a++) {
        Catalog.Album album = band.albums().get(a);
        out.append("        { \"title\": ").append(quoted(album.title()))
            .append(", \"year\": ").append(album.year()).append(" }")
            .append(a + 1 < band.albums().size() ? ",\n" : "\n");
      }
      out.append("      ]\n");
      out.append(b + 1 < bands.size() ? "    },\n" : "    }\n");
    }
    out.append("  ]\n");
    out.append("}\n");
    return out.toString();
  }

  private static String quoted(String value) {
    try {
      return Json.MAPPER.writeValueAsString(value); // escapes quotes and controls; leaves accents as-is
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Why {@link #load} failed, in one line: the innermost cause's first line. */
  public static String loadProblem(RuntimeException e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
  }

  public static Catalog load(Path file) {
    try {
      return Json.MAPPER.readValue(Files.readAllBytes(file), Catalog.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read catalog " + file, e);
    }
  }
}
