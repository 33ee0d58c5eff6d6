package gt.quetzal.manifests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where two renders of one kustomization differ: objects keyed by apiVersion/kind/namespace/name (the
 * order of documents and of map keys does not matter; the order of lists does, as it does to the API),
 * then every differing path inside an object.
 */
final class RenderDiff {

  private RenderDiff() {}

  static List<String> between(List<Map<String, Object>> ours, List<Map<String, Object>> real, String name) {
    Map<String, Map<String, Object>> a = byId(ours);
    Map<String, Map<String, Object>> b = byId(real);
    List<String> out = new ArrayList<>();
    TreeSet<String> ids = new TreeSet<>(a.keySet());
    ids.addAll(b.keySet());
    for (String id : ids) {
      if (!a.containsKey(id)) {
        out.add(name + ": " + id + " only in kubectl's render");
      } else if (!b.containsKey(id)) {
        out.add(name + ": " + id + " only in Kustomize.java's render");
      } else {
        compare(a.get(id), b.get(id), name + ": " + id + " ", "", out);
      }
    }
    return out;
  }

  private static Map<String, Map<String, Object>> byId(List<Map<String, Object>> docs) {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Map<String, Object> d : docs) {
      String id = d.get("apiVersion") + "/" + d.get("kind") + "/" + Yaml.at(d, "metadata", "namespace") + "/" + Yaml.at(d, "metadata", "name");
      if (out.put(id, d) != null) {
        throw new IllegalArgumentException(id + " appears twice");
      }
    }
    return out;
  }

  private static void compare(Object ours, Object real, String where, String path, List<String> out) {
    if (ours instanceof Map<?, ?> a && real instanceof Map<?, ?> b) {
      TreeSet<String> keys = new TreeSet<>();
      a.keySet().forEach(k -> keys.add(String.valueOf(k)));
      b.keySet().forEach(k -> keys.add(String.valueOf(k)));
      for (String key : keys) {
        compare(a.get(key), b.get(key), where, path + "." + key, out);
      }
    } else if (ours instanceof List<?> a && real instanceof List<?> b && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        compare(a.get(i), b.get(i), where, path + "[" + i + "]", out);
      }
    } else if (!Objects.equals(ours, real)) {
      out.add(where + (path.isEmpty() ? "" : path.substring(1)) + ": Kustomize.java has " + shorten(ours) + ", kubectl " + shorten(real));
    }
  }

  private static String shorten(Object value) {
    String text = String.valueOf(value);
    return text.length() > 120 ? text.substring(0, 117) + "..." : text;
  }
}
