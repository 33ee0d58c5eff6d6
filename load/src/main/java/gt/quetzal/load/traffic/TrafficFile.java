package gt.quetzal.load.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's traffic format: a JSON array of votes {@code {"name","album","year","rank"}} with string
 * fields, optionally {@code voteId} and {@code voterId}. Written one vote per line, so a file diffs
 * and greps well, in UTF-8 with accents as they are (never {@code \u00e9} escapes).
 */
public final class TrafficFile {

  private TrafficFile() {}

  public static void write(List<Map<String, String>> votes, OutputStream out) throws IOException {
    StringBuilder text = new StringBuilder(votes.size() * 96);
    text.append("[\n");
    for (int i = 0; i < votes.size(); i++) {
      text.append("  ").append(Json.MAPPER.writeValueAsString(votes.get(i)));
      text.append(i + 1 < votes.size() ? ",\n" : "\n");
    }
    text.append("]\n");
    out.write(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  public static void write(List<Map<String, String>> votes, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream out = Files.newOutputStream(file)) {
        write(votes, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Reads a traffic file. Numbers are accepted for any field (the contract allows them for {@code
   * year} and {@code rank}) and read back as their text; {@code null} and missing fields are left out.
   *
   * @throws IllegalArgumentException when the file is not a JSON array of objects
   */
  public static List<Map<String, String>> read(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read traffic file " + file, e);
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException(file + ": a traffic file is a JSON array of votes");
    }
    List<Map<String, String>> votes = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      JsonNode item = root.get(i);
      if (!item.isObject()) {
        throw new IllegalArgumentException(file + ": item " + i + " is not a JSON object");
      }
      Map<String, String> vote = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> fields = item.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!field.getValue().isNull()) {
          vote.put(field.getKey(), field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString());
        }
      }
      votes.add(vote);
    }
    return votes;
  }
}
