package gt.quetzal.kit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A probe's verdict: healthy when it lists no problems. {@code details} are extra fields of the JSON
 * answer (the streams app's {@code state}, the broker ingest reached), in the order they were added.
 *
 * @param problems what is wrong, one sentence each, for a human who has to act on it
 * @param details  field name → value, written after {@code status} and {@code reasons}
 */
public record Health(List<String> problems, Map<String, Object> details) {

  public static final Health OK = new Health(List.of(), Map.of());

  public Health {
    problems = List.copyOf(problems);
    details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(details, "details")));
  }

  /** Healthy when {@code problems} is empty. */
  public static Health of(List<String> problems) {
    return new Health(problems, Map.of());
  }

  public static Health down(String problem) {
    return of(List.of(problem));
  }

  public boolean ok() {
    return problems.isEmpty();
  }

  /** The same verdict with one more field in the answer. */
  public Health with(String field, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(details);
    more.put(field, value);
    return new Health(problems, more);
  }
}
