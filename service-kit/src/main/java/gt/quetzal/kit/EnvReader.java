package gt.quetzal.kit;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;

/**
 * Reads a service's environment once, collecting every problem instead of stopping at the first,
 * so a misconfigured pod names all its bad variables in one log line.
 */
public final class EnvReader {

  private final Map<String, String> env;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> consulted = new TreeSet<>();

  public EnvReader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  private String raw(String name) {
    consulted.add(name);
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  public String string(String name, String fallback) {
    String value = raw(name);
    return value == null ? fallback : value;
  }

  /** A variable without a default; its absence is reported. */
  public String required(String name) {
    String value = raw(name);
    if (value == null) {
      problems.add(name + " is required but not set");
    }
    return value;
  }

  /** An optional variable: {@code null} when unset. */
  public String optional(String name) {
    return raw(name);
  }

  public int integer(String name, int fallback, int min, int max) {
    return (int) longValue(name, fallback, min, max); // in range, so it fits
  }

  public long longValue(String name, long fallback, long min, long max) {
    String value = raw(name);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed < min || parsed > max) {
        problems.add(name + "=" + value + " is outside " + min + ".." + max);
        return fallback;
      }
      return parsed;
    } catch (NumberFormatException e) {
      problems.add(name + "=" + value + " is not an integer");
      return fallback;
    }
  }

  public int port(String name, int fallback) {
    return integer(name, fallback, 0, 65_535);
  }

  public boolean bool(String name, boolean fallback) {
    String value = raw(name);
    if (value == null) {
      return fallback;
    }
    switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes", "on" -> {
        return true;
      }
      case "false", "0", "no", "off" -> {
        return false;
      }
      default -> {
        problems.add(name + "=" + value + " is not a boolean (true/false)");
        return fallback;
      }
    }
  }

  /** A URI whose scheme must be one of {@code schemes}. */
  public URI uri(String name, String fallback, String... schemes) {
    String value = string(name, fallback);
    try {
      URI uri = new URI(value);
      for (String scheme : schemes) {
        if (scheme.equalsIgnoreCase(uri.getScheme())) {
          return uri;
        }
      }
      problems.add(name + " must use one of the schemes " + String.join(", ", schemes));
    } catch (URISyntaxException e) {
      problems.add(name + " is not a valid URI (" + e.getReason() + ")");
    }
    return URI.create(fallback);
  }

  /**
   * Every variable name this reader was asked about. Deployment checks use it to prove that each
   * variable a manifest sets is one the service actually reads.
   */
  public Set<String> consulted() {
    return Collections.unmodifiableSet(consulted);
  }

  /** Lets a config record add a cross-field rule to the same report. */
  public void problem(String message) {
    problems.add(message);
  }

  /** Throws once, naming every bad variable, if anything was wrong. */
  public void validate(String service) {
    if (!problems.isEmpty()) {
      throw new ConfigException(service, problems);
    }
  }

  /** Thrown by {@link #validate}; its message lists every problem found. */
  public static final class ConfigException extends IllegalArgumentException {
    private final List<String> problems;

    ConfigException(String service, List<String> problems) {
      super(service + " configuration is invalid: " + String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }
}
