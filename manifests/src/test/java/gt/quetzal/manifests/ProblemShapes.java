package gt.quetzal.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The message "shapes" of every problem the wiring checks can report, read from their Java source.
 *
 * <p>A shape is one {@code problem(...)} or {@code problems.add(...)} call: the string literals written
 * directly in its argument (not inside a nested call), in order, with whatever is computed between them
 * collapsed to a wildcard. So {@code problem(where + ": no readiness probe")} is the shape
 * {@code …: no readiness probe}, and matches "broken: Deployment/web container web: no readiness probe".
 *
 * <p>Reading the source with a small tokenizer (comments, string and char literals, parenthesis depth)
 * rather than a line regex makes it indifferent to formatting: a message split over lines, concatenated
 * in any order or reflowed by a formatter is the same shape. A call whose literals hold no letter (the
 * method declaration, {@code problem(p)} that forwards another check's message) is a pass-through, not a
 * shape.
 */
final class ProblemShapes {

  /** Where the shape was written, its literal fragments in order, and whether it starts or ends with one. */
  record Shape(String where, List<String> fragments, boolean literalStart, boolean literalEnd) {

    /** The literals, "…" where something is computed: readable, and the key of the allow-list. */
    String text() {
      StringBuilder s = new StringBuilder(literalStart ? "" : "…");
      for (int i = 0; i < fragments.size(); i++) {
        s.append(i > 0 ? "…" : "").append(fragments.get(i));
      }
      return s.append(literalEnd ? "" : "…").toString();
    }

    /** How specific the shape is: the letters of its literals (spacing and punctuation do not count). */
    int literalLength() {
      return fragments.stream().mapToInt(f -> (int) f.chars().filter(Character::isLetterOrDigit).count()).sum();
    }

    Pattern pattern() {
      // Never anchored at the start: Wiring's problem() puts the render's name before every message.
      StringBuilder re = new StringBuilder("(?s)");
      for (int i = 0; i < fragments.size(); i++) {
        re.append(i > 0 ? ".*" : "").append(Pattern.quote(fragments.get(i)));
      }
      return Pattern.compile(re.append(literalEnd ? "$" : "").toString());
    }

    /** Whether this shape can have produced the message (or, for a prefix, a message that starts so). */
    boolean matches(String message, boolean prefix) {
      var m = pattern().matcher(message);
      return m.find();
    }
  }

  private ProblemShapes() {}

  static List<Shape> of(Path source) {
    try {
      return of(Files.readString(source), source.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Shape> of(String java, String file) {
    String code = stripComments(java);
    List<Shape> shapes = new ArrayList<>();
    var call = Pattern.compile("(?<![\\w.])(?:problem|problems\\s*\\.\\s*add)\\s*\\(").matcher(maskStrings(code));
    while (call.find()) {
      Shape shape = arguments(code, call.end(), file + ":" + line(code, call.start()));
      if (shape.fragments().stream().anyMatch(f -> f.chars().anyMatch(Character::isLetter))) {
        shapes.add(shape);
      }
    }
    return shapes;
  }

  /** The top-level literals of the argument list that starts at {@code from} (just after the paren). */
  private static Shape arguments(String code, int from, String where) {
    List<String> fragments = new ArrayList<>();
    StringBuilder computed = new StringBuilder();
    boolean literalStart = false;
    boolean lastWasLiteral = false;
    int depth = 0;
    for (int i = from; i < code.length(); i++) {
      char ch = code.charAt(i);
      if (ch == '"') {
        int end = endOfString(code, i);
        if (depth == 0) {
          String literal = unescape(code.substring(i + 1, end));
          if (fragments.isEmpty() && computed.toString().isBlank()) {
            literalStart = true;
          }
          if (lastWasLiteral && computed.toString().replace("+", "").isBlank()) {
            fragments.set(fragments.size() - 1, fragments.get(fragments.size() - 1) + literal); // "a" + "b"
          } else {
            fragments.add(literal);
          }
          computed.setLength(0);
          lastWasLiteral = true;
        }
        i = end;
        continue;
      }
      if (ch == '\'') {
        i = code.indexOf('\'', i + (code.charAt(i + 1) == '\\' ? 3 : 2));
        continue;
      }
      if (ch == '(' || ch == '[' || ch == '{') {
        depth++;
      } else if (ch == ')' || ch == ']' || ch == '}') {
        if (depth == 0) {
          break;
        }
        depth--;
      }
      if (depth > 0 || !(Character.isWhitespace(ch) || ch == '+')) {
        computed.append(ch);
        lastWasLiteral = lastWasLiteral && computed.toString().isBlank();
      }
    }
    return new Shape(where, fragments, literalStart, lastWasLiteral);
  }

  private static int endOfString(String code, int open) {
    for (int i = open + 1; i < code.length(); i++) {
      if (code.charAt(i) == '\\') {
        i++;
      } else if (code.charAt(i) == '"') {
        return i;
      }
    }
    throw new IllegalArgumentException("unterminated string at " + open);
  }

  private static String unescape(String literal) {
    return literal.replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\");
  }

  /** String and char literal contents blanked, so a call written inside a string is not a call. */
  private static String maskStrings(String code) {
    StringBuilder out = new StringBuilder(code);
    for (int i = 0; i < code.length(); i++) {
      char ch = code.charAt(i);
      if (ch == '"' || ch == '\'') {
        int end = ch == '"' ? endOfString(code, i) : code.indexOf('\'', i + (code.charAt(i + 1) == '\\' ? 3 : 2));
        for (int j = i + 1; j < end; j++) {
          out.setCharAt(j, ' ');
        }
        i = end;
      }
    }
    return out.toString();
  }

  /** Comments out, strings kept (a "//" inside a string is not a comment), offsets preserved. */
  private static String stripComments(String java) {
    StringBuilder out = new StringBuilder(java);
    for (int i = 0; i < java.length(); i++) {
      char ch = java.charAt(i);
      if (ch == '"') {
        i = endOfString(java, i);
      } else if (ch == '\'') {
        i = java.indexOf('\'', i + (java.charAt(i + 1) == '\\' ? 3 : 2));
      } else if (java.startsWith("//", i)) {
        int end = java.indexOf('\n', i);
        end = end < 0 ? java.length() : end;
        for (int j = i; j < end; j++) {
          out.setCharAt(j, ' ');
        }
        i = end;
      } else if (java.startsWith("/*", i)) {
        int end = java.indexOf("*/", i + 2) + 2;
        for (int j = i; j < end; j++) {
          out.setCharAt(j, java.charAt(j) == '\n' ? '\n' : ' ');
        }
        i = end - 1;
      }
    }
    return out.toString();
  }

  private static int line(String code, int offset) {
    return (int) code.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }
}
