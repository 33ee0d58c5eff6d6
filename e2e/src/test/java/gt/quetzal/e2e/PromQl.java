package gt.quetzal.e2e;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, enough for the operations dashboard's queries: label
 * matchers, grouping clauses, strings, durations and numbers are dropped, as are function names
 * (followed by "(") and PromQL's keywords.
 */
final class PromQl {

  private static final Set<String> KEYWORDS = Set.of(
      "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
      "inf", "nan");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private PromQl() {}

  static Set<String> metricNames(String expr) {
    String s = expr
        .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ") // strings (label values, label_replace arguments)
        .replaceAll("\\{[^}]*}", " ") // label matchers
        .replaceAll("\\[[^]]*]", " ") // range and subquery durations
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String word = m.group();
      int next = m.end();
      while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
        next++;
      }
      boolean call = next < s.length() && s.charAt(next) == '(';
      boolean partOfNumber = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
      if (!call && !partOfNumber && !KEYWORDS.contains(word.toLowerCase())) {
        names.add(word);
      }
    }
    return names;
  }
}
