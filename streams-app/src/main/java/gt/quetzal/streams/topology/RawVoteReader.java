package gt.quetzal.streams.topology;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.Names;
import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.contract.VoteText;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one {@code votes.raw} record and decides whether it is a countable vote. Pure: same input,
 * same verdict, which is what makes a replay from offset 0 give the same tallies.
 *
 * <p>The rules mirror ingest's at the boundary, because {@code votes.raw} can be written by anything
 * with producer rights, not only by ingest:
 *
 * <ul>
 *   <li>{@value #UNPARSEABLE}: empty value, bytes that are not one JSON object, or trailing garbage;
 *   <li>{@value #INVALID}: a JSON object failing a field rule. The detail lists every failing field
 *       as {@code field: problem}, separated by {@code "; "};
 *   <li>{@value #UNKNOWN_BAND}, {@value #UNKNOWN_ALBUM}: only with a catalog, a well-formed vote for
 *       a band, or an album of a known band, that the catalog does not list.
 * </ul>
 *
 * <p><b>Catalog.</b> The contest ({@code contest.catalog}) is matched after trimming, NFC and case
 * folding ({@link Names#fold}), and the vote continues with the catalog's canonical spelling, so
 * "ALUX NAHUAL " and "Alux Nahual" are one band everywhere downstream. In an open contest any
 * well-formed vote counts; its names are trimmed and NFC-normalised here, and the verdict is marked
 * unspelled so that {@link SpellNamesProcessor} gives every variant the first spelling counted.
 *
 * <p>Field rules ({@link VoteText}, the ones ingest applies): {@code voteId}, {@code name}, {@code
 * album} and {@code channel} are non-blank strings; {@code voteId} has ingest's shape; {@code name},
 * {@code album} and {@code voterId} follow the text rules (no control, markup or invisible
 * characters; at most {@link VoteText#MAX_TEXT_LENGTH_LIMIT} code points, the most any ingest may
 * take); {@code year} is an integer in 1900..(year of {@code receivedAt}, UTC, + 1); {@code rank}
 * an integer in 1..100; {@code receivedAt} a positive integer. Integers may arrive as JSON numbers or
 * as strings of digits, as in the seed's traffic. The year bound is taken from the vote's own
 * {@code receivedAt} rather than the wall clock so the verdict does not change on replay.
 *
 * <p><b>Key versus voteId.</b> De-duplication happens per partition, so it is only exact when every
 * copy of a vote lands on the same partition, which the producer guarantees by keying the record by
 * its voteId (ingest does). A record whose key differs from its {@code voteId} (including a null key)
 * could slip past de-duplication on another partition, so it is rejected as {@value #INVALID} with
 * the field {@code voteId} named, rather than counted on a guarantee we cannot keep. It stays
 * auditable in {@code votes.rejected}.
 *
 * <p>Public only for {@link #rowProblems}; the record check itself stays inside the package.
 */
public final class RawVoteReader {

  static final String UNPARSEABLE = "unparseable";
  static final String INVALID = "invalid";
  static final String UNKNOWN_BAND = "unknown_band";
  static final String UNKNOWN_ALBUM = "unknown_album";


  // Trailing tokens would mean two values glued together; neither is trustworthy.
  private static final ObjectReader READER =
      Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private RawVoteReader() {}

  /** {@link #check(String, byte[], long, CatalogIndex)} in an open contest: any band and album count. */
  static Verdict check(String key, byte[] value, long rejectedAt) {
    return check(key, value, rejectedAt, CatalogIndex.OPEN);
  }

  /**
   * @param key        the record key (supposed to equal the voteId)
   * @param value      the raw record value, possibly {@code null} or garbage
   * @param rejectedAt what to stamp on a rejection (the stream's wall clock)
   * @param catalog    the contest now ({@link CatalogIndex#OPEN} for an open one)
   */
  static Verdict check(String key, byte[] value, long rejectedAt, CatalogIndex catalog) {
    if (value == null || value.length == 0) {
      return new Verdict.Rejected(
          new RejectedVote(key, UNPARSEABLE, "value: empty record", null, rejectedAt));
    }
    Fields fields = Fields.read(value);
    if (fields == null) {
      return unparseable(key, value, whyUnparseable(value), rejectedAt);
    }

    List<String> problems = new ArrayList<>();
    String voteId = text("voteId", fields.voteId, problems);
    if (voteId != null && !VoteText.isVoteId(voteId, VoteText.MAX_VOTE_ID_LENGTH_LIMIT)) {
      problems.add(
          "voteId: must be 1 to " + VoteText.MAX_VOTE_ID_LENGTH_LIMIT + " characters from A-Z a-z 0-9 . _ : -");
    }
    String name = name("name", fields.name, problems);
    String album = name("album", fields.album, problems);
    String channel = text("channel", fields.channel, problems);
    Long receivedAt = integer("receivedAt", fields.receivedAt, 1, Long.MAX_VALUE, problems);
    // Without a trustworthy receivedAt only the lower bound can be checked; the vote is rejected anyway.
    long maxYear =
        receivedAt == null
            ? Long.MAX_VALUE
            : VoteText.latestYear(Instant.ofEpochMilli(receivedAt).atOffset(ZoneOffset.UTC).getYear());
    Long year = integer("year", fields.year, VoteText.MIN_YEAR, maxYear, problems);
    Long rank = integer("rank", fields.rank, VoteText.MIN_RANK, VoteText.MAX_RANK, problems);
    String voterId = optionalText("voterId", fields.voterId, problems);
    if (voterId != null) {
      textRules("voterId", voterId, problems);
    }
    if (voteId != null && !voteId.equals(key)) {
      problems.add("voteId: does not match the record key (votes.raw must be keyed by voteId)");
    }

    if (!problems.isEmpty()) {
      String readableId = voteId != null ? voteId : key;
      return new Verdict.Rejected(
          new RejectedVote(readableId, INVALID, String.join("; ", problems), raw(value), rejectedAt));
    }
    String band = Names.normalise(name);
    String albumTitle = Names.normalise(album);
    CatalogIndex.Match match = catalog.match(band, albumTitle);
    if (match instanceof CatalogIndex.Match.UnknownBand) {
      return new Verdict.Rejected(
          new RejectedVote(
              voteId, UNKNOWN_BAND, "name: \"" + band + "\" is not a band of the contest catalog",
              raw(value), rejectedAt));
    }
    if (match instanceof CatalogIndex.Match.UnknownAlbum unknown) {
      return new Verdict.Rejected(
          new RejectedVote(
              voteId, UNKNOWN_ALBUM,
              "album: \"" + albumTitle + "\" is not an album of " + unknown.band()
                  + " in the contest catalog",
              raw(value), rejectedAt));
    }
    boolean spelled = match instanceof CatalogIndex.Match.Known;
    if (match instanceof CatalogIndex.Match.Known known) {
      band = known.band();
      albumTitle = known.album();
    }
    return new Verdict.Valid(
        new VoteEvent(
            voteId, band, albumTitle, year.intValue(), rank.intValue(), voterId, channel, receivedAt),
        spelled);
  }

  /**
   * The rules for a vote's own fields ({@code name}, {@code album}, {@code year}, {@code rank}) applied
   * to one row of a seed traffic file, which has no voteId, channel or receivedAt yet: the same checks
   * as {@link #check}, so a tool reading traffic refuses exactly the rows the contest would. Other
   * fields are not looked at.
   *
   * @param row         the row's bytes: one JSON object
   * @param currentYear the year a vote would be received in; {@code year} may be at most one more
   * @return every broken rule as {@code "field: problem"}; empty when the row is a vote; {@code
   *     ["value: ..."]} when the bytes are not one JSON object
   */
  public static List<String> rowProblems(byte[] row, int currentYear) {
    Fields fields = Fields.read(row);
    if (fields == null) {
      return List.of(whyUnparseable(row));
    }
    List<String> problems = new ArrayList<>();
    name("name", fields.name, problems);
    name("album", fields.album, problems);
    integer("year", fields.year, VoteText.MIN_YEAR, VoteText.latestYear(currentYear), problems);
    integer("rank", fields.rank, VoteText.MIN_RANK, VoteText.MAX_RANK, problems);
    return problems;
  }

  private static Verdict unparseable(String key, byte[] value, String detail, long rejectedAt) {
    return new Verdict.Rejected(new RejectedVote(key, UNPARSEABLE, detail, raw(value), rejectedAt));
  }

  private static String raw(byte[] value) {
    // Invalid UTF-8 becomes U+FFFD: the audit copy must be a string, and it is truncated anyway.
    return RejectedVote.truncate(new String(value, UTF_8));
  }

  /**
   * Why a value that {@link Fields#read} could not take is unparseable, in the words of Jackson's
   * tree reader (the rule's reference: one JSON object, nothing after it). Only rejected records
   * come here, so reading them twice costs nothing on the hot path.
   */
  private static String whyUnparseable(byte[] value) {
    JsonNode root;
    try {
      root = READER.readTree(value);
    } catch (JsonProcessingException e) {
      return "value: not valid JSON (" + e.getOriginalMessage() + ")";
    } catch (IOException e) {
      return "value: not readable (" + e.getMessage() + ")";
    }
    if (root == null || !root.isObject()) {
      // Whitespace alone reads as a "missing" node.
      String got =
          root == null || root.isMissingNode() ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT);
      return "value: expected a JSON object, got " + got;
    }
    // The streaming reader gave up on an object the tree reader accepts; should not happen.
    return "value: not readable as one JSON object";
  }

  /** A required, non-blank string; {@code null} (with a problem recorded) otherwise. */
  private static String text(String field, Object raw, List<String> problems) {
    if (raw == null || raw == Fields.NULL) {
      problems.add(field + ": required");
      return null;
    }
    if (!(raw instanceof String text)) {
      problems.add(field + ": must be a string");
      return null;
    }
    if (text.isBlank()) {
      problems.add(field + ": must not be blank");
      return null;
    }
    return text;
  }

  /** A name or album: {@link #text} and then the text rules ({@link VoteText#check}). */
  private static String name(String field, Object raw, List<String> problems) {
    String text = text(field, raw, problems);
    return text != null && textRules(field, text, problems) ? text : null;
  }

  private static boolean textRules(String field, String text, List<String> problems) {
    VoteText.Problem problem = VoteText.check(Names.normalise(text), VoteText.MAX_TEXT_LENGTH_LIMIT);
    if (problem == null) {
      return true;
    }
    problems.add(
        field + ": "
            + (problem == VoteText.Problem.TOO_LONG
                ? "must be at most " + VoteText.MAX_TEXT_LENGTH_LIMIT + " characters"
                : problem.message()));
    return false;
  }

  /** An optional string: absent, null and blank all mean "not given". */
  private static String optionalText(String field, Object raw, List<String> problems) {
    if (raw == null || raw == Fields.NULL) {
      return null;
    }
    if (!(raw instanceof String text)) {
      problems.add(field + ": must be a string");
      return null;
    }
    return text.isBlank() ? null : text.strip();
  }

  /** A required integer in [min, max], given as a JSON integer or a string of digits. */
  private static Long integer(String field, Object raw, long min, long max, List<String> problems) {
    if (raw == null || raw == Fields.NULL) {
      problems.add(field + ": required");
      return null;
    }
    Long parsed = null;
    if (raw instanceof Long number) {
      parsed = number;
    } else if (raw instanceof String text) {
      try {
        parsed = Long.parseLong(text.strip());
      } catch (NumberFormatException e) {
        parsed = null;
      }
    }
    if (parsed == null) {
      problems.add(field + ": must be an integer");
      return null;
    }
    if (parsed < min || parsed > max) {
      String range = max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
      problems.add(field + ": must be " + range + ", was " + parsed);
      return null;
    }
    return parsed;
  }

  /**
   * The fields a vote is made of, read in one pass of Jackson's streaming parser: no tree, and
   * nothing kept of fields the rules do not read. Each holds {@code null} when absent, {@link #NULL}
   * for a JSON null, a {@code String} for a JSON string, a {@code Long} for a JSON integer that fits
   * in a long, and {@link #OTHER} for anything else (a fraction, a boolean, an object, an array, an
   * integer too big). A repeated field keeps its last value, as a tree would.
   */
  private static final class Fields {
    static final Object NULL = new Object();
    static final Object OTHER = new Object();

    Object voteId;
    Object name;
    Object album;
    Object channel;
    Object receivedAt;
    Object year;
    Object rank;
    Object voterId;

    /** The fields of {@code value}, or {@code null} unless it is exactly one well-formed JSON object. */
    static Fields read(byte[] value) {
      try (JsonParser parser = Json.MAPPER.getFactory().createParser(value)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        Fields fields = new Fields();
        String field;
        while ((field = parser.nextFieldName()) != null) {
          JsonToken token = parser.nextToken();
          if (token == null) {
            return null; // cut off after a field name (the parser normally throws first)
          }
          switch (field) {
            case "voteId" -> fields.voteId = valueOf(parser, token);
            case "name" -> fields.name = valueOf(parser, token);
            case "album" -> fields.album = valueOf(parser, token);
            case "channel" -> fields.channel = valueOf(parser, token);
            case "receivedAt" -> fields.receivedAt = valueOf(parser, token);
            case "year" -> fields.year = valueOf(parser, token);
            case "rank" -> fields.rank = valueOf(parser, token);
            case "voterId" -> fields.voterId = valueOf(parser, token);
            // Unknown fields are ignored, like everywhere else in the contract; skipping still
            // tokenises them, so malformed JSON inside is caught.
            default -> parser.skipChildren();
          }
        }
        // nextFieldName() ends on END_OBJECT; anything after it means two values glued together.
        return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null ? fields : null;
      } catch (IOException e) {
        return null;
      }
    }

    private static Object valueOf(JsonParser parser, JsonToken token) throws IOException {
      return switch (token) {
        case VALUE_STRING -> parser.getText();
        case VALUE_NULL -> NULL;
        case VALUE_NUMBER_INT ->
            parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? OTHER : parser.getLongValue();
        case START_OBJECT, START_ARRAY -> {
          parser.skipChildren(); // still tokenises them, so malformed JSON inside is caught
          yield OTHER;
        }
        default -> OTHER;
      };
    }
  }
}
