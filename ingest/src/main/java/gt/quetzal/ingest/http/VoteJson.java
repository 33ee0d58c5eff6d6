package gt.quetzal.ingest.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.VoteCandidate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a vote from the seed's JSON format into a {@link VoteCandidate}; the rules themselves are
 * the validator's. Parsing is strict where leniency would hide client bugs: duplicate keys and
 * trailing content are malformed JSON, and fractional numbers are read exactly (as decimals), so
 * {@code 87.0000000000000001} is not mistaken for 87.
 */
final class VoteJson {

  static final List<String> KNOWN_FIELDS = List.of("name", "album", "year", "rank", "voterId", "voteId");

  private static final int MAX_REPORTED_NAME = 64;

  /** A batch is array, object, value: anything deeper is not a vote, so stop reading early. */
  static final int MAX_NESTING_DEPTH = 8;
  /** Digits a JSON number may have; a year or rank needs 4, exact decimals a few more. */
  static final int MAX_NUMBER_LENGTH = 64;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .build())
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private VoteJson() {}

  /**
   * Parses a body; malformed JSON becomes a 400 problem naming the line and column. The bytes are
   * decoded as strict UTF-8 first: Jackson's own decoder lets some invalid sequences through (an
   * overlong {@code C0 AF} becomes '/', a sequence past U+10FFFF a lone surrogate), and a body
   * that is not UTF-8 must be refused as a whole, not half-read.
   */
  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw new ProblemException(Problem.invalidBody("required", "must be a JSON object with the vote, not empty"), "empty_body");
    }
    CharBuffer text = strictUtf8(body);
    JsonParser parser = null;
    try {
      parser = MAPPER.createParser(text.array(), text.arrayOffset() + text.position(), text.remaining());
      JsonNode tree = MAPPER.readTree(parser);
      if (tree == null || tree.isMissingNode()) {
        throw new ProblemException(Problem.invalidBody("required", "must be a JSON object with the vote, not empty"), "empty_body");
      }
      if (parser.nextToken() != null) {
        throw new ProblemException(
            Problem.malformedJson("Trailing content after the JSON value" + where(parser.currentLocation())), "malformed_json");
      }
      return tree;
    } catch (StreamConstraintsException e) {
      throw new ProblemException(constraintProblem(e, parser), "malformed_json");
    } catch (JsonProcessingException e) {
      throw new ProblemException(Problem.malformedJson(e.getOriginalMessage() + where(e.getLocation())), "malformed_json");
    } catch (IOException e) {
      throw new ProblemException(Problem.malformedJson("The body could not be read"), "malformed_json");
    } finally {
      if (parser != null) {
        try {
          parser.close();
        } catch (IOException ignored) {
          // in-memory input: nothing to release
        }
      }
    }
  }

  private static String where(JsonLocation at) {
    return at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  /** The body as text, or a 400 naming the byte offset of the first invalid UTF-8 sequence. */
  private static CharBuffer strictUtf8(byte[] body) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(body.length); // UTF-8 never has fewer bytes than UTF-16 units
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new ProblemException(
          Problem.malformedJson("The body is not valid UTF-8: invalid byte sequence at byte offset " + in.position() + "."),
          "malformed_json");
    }
    return out.flip();
  }

  /**
   * A limit of the parser was hit: a number too long names its field when the parser knows it;
   * nesting too deep is about the body.
   */
  private static Problem constraintProblem(StreamConstraintsException e, JsonParser parser) {
    String message = e.getOriginalMessage();
    boolean number = message != null && message.startsWith("Number");
    String field = "body";
    if (number && parser != null) {
      String name = parser.getParsingContext() == null ? null : parser.getParsingContext().getCurrentName();
      if (name != null) {
        field = abbreviate(name);
      }
    }
    String what =
        number
            ? "must be a number of at most " + MAX_NUMBER_LENGTH + " characters"
            : "must not nest arrays or objects more than " + MAX_NESTING_DEPTH + " deep";
    String code = number ? FieldViolation.TOO_LONG : "too_deep";
    return new Problem(
        Problem.MALFORMED_JSON,
        "The body is not valid JSON",
        400,
        "The body exceeds a parser limit: " + field + " " + what + ".",
        List.of(new FieldViolation(field, code, what)));
  }

  /** Maps a JSON object's fields; anything else than the known fields is listed as unknown. */
  static VoteCandidate toCandidate(JsonNode object) {
    Object name = null;
    Object album = null;
    Object year = null;
    Object rank = null;
    Object voterId = null;
    Object voteId = null;
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      Object value = value(field.getValue());
      switch (field.getKey()) {
        case "name" -> name = value;
        case "album" -> album = value;
        case "year" -> year = value;
        case "rank" -> rank = value;
        case "voterId" -> voterId = value;
        case "voteId" -> voteId = value;
        default -> unknown.add(abbreviate(field.getKey()));
      }
    }
    return new VoteCandidate(name, album, year, rank, voterId, voteId, null, unknown);
  }

  /** JSON to the loose Java types the validator understands; JSON null means absent. */
  private static Object value(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isNumber()) {
      return node.numberValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isArray()) {
      return List.of(); // only the type matters to the validator
    }
    return Map.of();
  }

  private static String abbreviate(String name) {
    if (name.codePointCount(0, name.length()) <= MAX_REPORTED_NAME) {
      return name;
    }
    return name.substring(0, name.offsetByCodePoints(0, MAX_REPORTED_NAME)) + "…"; // never splits a pair
  }
}
