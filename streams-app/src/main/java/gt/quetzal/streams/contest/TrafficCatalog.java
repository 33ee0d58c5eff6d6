package gt.quetzal.streams.contest;

import gt.quetzal.streams.topology.RawVoteReader;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.Names;
import gt.quetzal.streams.topology.RawVoteReader;
import java.io.IOException;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Derives a contest catalog from a seed-format traffic file, for {@code ./quetzal contest from-traffic}:
 * the seed's workflow generates traffic first and runs the contest second, so the traffic is the only
 * place its bands and albums are written down. Pure apart from {@link #derive(byte[], String)} reading
 * the current year.
 *
 * <p><b>Rows.</b> The file is a JSON array of objects {@code {"name","album","year","rank"}}, each field
 * a string or, for {@code year} and {@code rank}, a number. A row is used only if it is a vote the
 * contest would count: an object that passes the streams app's field rules ({@link
 * RawVoteReader#rowProblems}: name and album non-blank strings, year an integer in 1900..current year +
 * 1, rank an integer in 1..100). Any other row, a bad rank included, is reported as a {@link RowProblem}
 * with its 0-based index and every rule it breaks, and contributes nothing: a row that can never be
 * counted says nothing reliable about the contest. Other fields ({@code voteId}, ...) are ignored.
 *
 * <p><b>Names.</b> Spellings that {@link Names#fold} makes equal are one band, or one album of a band.
 * Each keeps its first spelling seen, trimmed and NFC-normalised ({@link Names#normalise}) as the
 * streams app stores every vote's names. Bands and each band's albums are in first-seen order. The same
 * title under two bands is two albums, one per band.
 *
 * <p><b>Years.</b> An album's year is the one most of its rows give; on a tie, the one seen first. Rows
 * giving another year are used, not reported: the contest never matches a vote's year against the
 * catalog (the streams app only checks its range), so they are still countable votes.
 */
public final class TrafficCatalog {

  /** The catalog, and the rows left out of it. */
  public record Result(Catalog catalog, List<RowProblem> problems) {
    public Result {
      Objects.requireNonNull(catalog, "catalog");
      problems = List.copyOf(problems);
    }
  }

  /** Row {@code index} (0-based) was not used, because of {@code reason}. */
  public record RowProblem(int index, String reason) {}

  private TrafficCatalog() {}

  /**
   * @throws IllegalArgumentException when the bytes are not a JSON array, or no row is usable (a
   *     catalog needs at least one band)
   */
  public static Result derive(byte[] trafficJson, String contestName) {
    return derive(trafficJson, contestName, Year.now(ZoneOffset.UTC).getValue());
  }

  /** {@link #derive(byte[], String)} as if in {@code currentYear}, which bounds the year field. */
  static Result derive(byte[] trafficJson, String contestName, int currentYear) {
    Objects.requireNonNull(trafficJson, "trafficJson");
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(trafficJson);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a traffic file is a JSON array of votes, and this is not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("a traffic file is a JSON array of votes, and this one cannot be read: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || !root.isArray()) {
      throw new IllegalArgumentException(
          "a traffic file is a JSON array of votes {\"name\",\"album\",\"year\",\"rank\"}, not " + describe(root));
    }

    Map<String, BandDraft> bands = new LinkedHashMap<>(); // by folded name
    List<RowProblem> problems = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode row = root.get(i);
      if (!row.isObject()) {
        problems.add(new RowProblem(i, "not a JSON object but " + describe(row)));
        continue;
      }
      List<String> broken = RawVoteReader.rowProblems(bytes(row), currentYear);
      if (!broken.isEmpty()) {
        problems.add(new RowProblem(i, String.join("; ", broken)));
        continue;
      }
      // The rules passed, so name and album are non-blank strings and year an integer in range.
      String band = Names.normalise(row.get("name").textValue());
      String album = Names.normalise(row.get("album").textValue());
      int year = Integer.parseInt(row.get("year").asText().strip());
      bands.computeIfAbsent(Names.fold(band), key -> new BandDraft(band)).add(album, year);
    }
    if (bands.isEmpty()) {
      throw new IllegalArgumentException(
          "no usable row among " + root.size() + ", so no band for a catalog"
              + (problems.isEmpty() ? "" : "; row " + problems.get(0).index() + ": " + problems.get(0).reason()));
    }
    List<Catalog.Band> catalogBands = new ArrayList<>(bands.size());
    bands.values().forEach(draft -> catalogBands.add(draft.toBand()));
    return new Result(new Catalog(contestName, catalogBands), problems);
  }

  /** One band being collected: first spelling, albums by folded title in first-seen order. */
  private static final class BandDraft {
    private final String name;
    private final Map<String, AlbumDraft> albums = new LinkedHashMap<>();

    BandDraft(String name) {
      this.name = name;
    }

    void add(String title, int year) {
      albums.computeIfAbsent(Names.fold(title), key -> new AlbumDraft(title)).years.merge(year, 1, Integer::sum);
    }

    Catalog.Band toBand() {
      List<Catalog.Album> list = new ArrayList<>(albums.size());
      albums.values().forEach(album -> list.add(new Catalog.Album(album.title, album.year())));
      return new Catalog.Band(name, list);
    }
  }

  private static final class AlbumDraft {
    private final String title;
    private final Map<Integer, Integer> years = new LinkedHashMap<>(); // year -> rows, first seen first

    AlbumDraft(String title) {
      this.title = title;
    }

    /** The year most rows give; strictly more is needed to displace an earlier one, so ties go to the first. */
    int year() {
      int best = 0;
      int bestRows = 0;
      for (Map.Entry<Integer, Integer> entry : years.entrySet()) {
        if (entry.getValue() > bestRows) {
          best = entry.getKey();
          bestRows = entry.getValue();
        }
      }
      return best;
    }
  }

  private static byte[] bytes(JsonNode row) {
    try {
      return Json.MAPPER.writeValueAsBytes(row);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot re-serialise a parsed row", e);
    }
  }


  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "an empty file";
    }
    return switch (node.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
