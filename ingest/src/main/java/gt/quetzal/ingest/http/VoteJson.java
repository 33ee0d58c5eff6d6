package gt.quetzal.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import gt.quetzal.ingest.core.VoteCandidate;
import java.io.IOException;
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

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private VoteJson() {}

  /** Parses a body; malformed JSON becomes a 400 problem naming the line and column. */
  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw new ProblemException(Problem.invalidBody("required", "must be a JSON object with the vote, not empty"), "empty_body");
    }
    try {
      JsonNode tree = MAPPER.readTree(body);
      if (tree == null || tree.isMissingNode()) {
        throw new ProblemException(Problem.invalidBody("required", "must be a JSON object with the vote, not empty"), "empty_body");
      }
      return tree;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new ProblemException(Problem.malformedJson(e.getOriginalMessage() + where), "malformed_json");
    } catch (IOException e) {
      throw new ProblemException(Problem.malformedJson("The body could not be read: " + e.getMessage()), "malformed_json");
    }
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
