package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Label selection as the API server evaluates it, for both selector notations. */
final class LabelSelectors {

  private LabelSelectors() {}

  /** A typed selector (matchLabels AND matchExpressions); an empty one selects everything. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> safe = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> entry : selector.getMatchLabels().entrySet()) {
        if (!entry.getValue().equals(safe.get(entry.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        if (!requirement(requirement.getKey(), requirement.getOperator(), requirement.getValues()).test(safe)) {
          return false;
        }
      }
    }
    return true;
  }

  /** A Service-style selector: every pair must match; an empty map selects nothing. */
  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    if (selector == null || selector.isEmpty() || labels == null) {
      return false;
    }
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** The string form kustomize targets use: {@code a=b,c!=d,e in (f,g),h notin (i),j,!k}. */
  static Predicate<Map<String, String>> parse(String text) {
    List<Predicate<Map<String, String>>> parts = new ArrayList<>();
    for (String term : splitTopLevel(text)) {
      String t = term.trim();
      if (t.matches("[^\\s!=]+\\s+(in|notin)\\s+\\(.*\\)")) {
        String[] words = t.split("\\s+", 3);
        String inner = words[2].substring(1, words[2].length() - 1);
        List<String> values = new ArrayList<>();
        for (String v : inner.split(",")) {
          values.add(v.trim());
        }
        parts.add(requirement(words[0], words[1].equals("in") ? "In" : "NotIn", values));
      } else if (t.contains("!=")) {
        String[] kv = t.split("!=", 2);
        parts.add(requirement(kv[0].trim(), "NotIn", List.of(kv[1].trim())));
      } else if (t.contains("=")) {
        String[] kv = t.split("==?", 2);
        parts.add(requirement(kv[0].trim(), "In", List.of(kv[1].trim())));
      } else if (t.startsWith("!")) {
        parts.add(requirement(t.substring(1), "DoesNotExist", List.of()));
      } else {
        parts.add(requirement(t, "Exists", List.of()));
      }
    }
    return labels -> parts.stream().allMatch(p -> p.test(labels));
  }

  private static Predicate<Map<String, String>> requirement(String key, String operator, List<String> values) {
    Set<String> set = Set.copyOf(values == null ? List.of() : values);
    return switch (operator) {
      case "In" -> labels -> labels.containsKey(key) && set.contains(labels.get(key));
      case "NotIn" -> labels -> !labels.containsKey(key) || !set.contains(labels.get(key));
      case "Exists" -> labels -> labels.containsKey(key);
      case "DoesNotExist" -> labels -> !labels.containsKey(key);
      default -> throw new IllegalArgumentException("unknown selector operator " + operator);
    };
  }

  private static List<String> splitTopLevel(String text) {
    List<String> terms = new ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        terms.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (!current.isEmpty()) {
      terms.add(current.toString());
    }
    return terms;
  }
}
