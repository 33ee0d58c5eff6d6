package gt.quetzal.manifests;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** YAML in, plain trees out. Duplicate keys fail, as they do for the API server's strict decoding. */
final class Yaml {

  static final ObjectMapper MAPPER =
      YAMLMapper.builder(new YAMLFactory())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private Yaml() {}

  /** Every non-empty document of a (multi-document) YAML text, as ordered maps. */
  static List<Map<String, Object>> documents(String text, String origin) {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (MappingIterator<Object> it = MAPPER.readerFor(Object.class).readValues(text)) {
      while (it.hasNextValue()) {
        Object doc = it.nextValue();
        if (doc == null) {
          continue;
        }
        if (!(doc instanceof Map<?, ?>)) {
          throw new IllegalArgumentException(origin + ": a document is not a mapping: " + doc);
        }
        docs.add(cast(doc));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(origin + ": not valid YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  static List<Map<String, Object>> documents(Path file) {
    return documents(read(file), file.toString());
  }

  /** One document of any shape (a JSON 6902 patch is a list). */
  static Object single(String text, String origin) {
    try {
      return MAPPER.readValue(text, Object.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(origin + ": not valid YAML: " + e.getMessage(), e);
    }
  }

  static <T> T read(Path file, Class<T> type) {
    try {
      return MAPPER.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A deep, mutable copy, so renders and deliberately broken copies never share state. */
  static Map<String, Object> copy(Map<String, Object> tree) {
    return MAPPER.convertValue(tree, new TypeReference<LinkedHashMap<String, Object>>() {});
  }

  static Object copyAny(Object tree) {
    return MAPPER.convertValue(tree, Object.class);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Object value) {
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    return (List<Object>) value;
  }

  /** Follows a path of map keys and list indexes; null when any step is missing. */
  static Object at(Object tree, Object... path) {
    Object node = tree;
    for (Object step : path) {
      if (node instanceof Map<?, ?> map && step instanceof String key) {
        node = map.get(key);
      } else if (node instanceof List<?> list && step instanceof Integer index) {
        node = index < list.size() ? list.get(index) : null;
      } else {
        return null;
      }
    }
    return node;
  }
}
