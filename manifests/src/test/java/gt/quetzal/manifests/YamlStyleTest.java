package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The YAML stays clean under yamllint's default rules (the ones a reviewer would run): a document
 * start, two-space indentation, lines of at most 80 columns, no tabs or trailing spaces, a final
 * newline. yamllint itself is not needed to enforce these on every build.
 */
class YamlStyleTest {

  static List<Path> yamlFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path dir : List.of(Repo.manifests(), Repo.grafana())) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
            .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/src/"))
            .filter(p -> !p.toString().contains("/node_modules/")) // npm packages of grafana/test
            .forEach(files::add);
      }
    }
    return files;
  }

  @Test
  void everyYamlFileIsLintClean() throws IOException {
    List<String> problems = new ArrayList<>();
    List<Path> files = yamlFiles();
    assertThat(files).hasSizeGreaterThan(20);
    for (Path file : files) {
      problems.addAll(lint(Repo.root().relativize(file).toString(), Files.readString(file)));
    }
    assertThat(problems).isEmpty();
  }

  /** What is wrong with one file's text, one line per problem. */
  static List<String> lint(String name, String text) {
    List<String> problems = new ArrayList<>();
    if (!text.startsWith("---\n")) {
      problems.add(name + ": start with a document marker (---)");
    }
    if (!text.endsWith("\n") || text.endsWith("\n\n")) {
      problems.add(name + ": end with exactly one newline");
    }
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String where = name + ":" + (i + 1);
      if (line.length() > 80) {
        problems.add(where + ": longer than 80 columns");
      }
      if (line.contains("\t")) {
        problems.add(where + ": tab");
      }
      if (!line.isEmpty() && Character.isWhitespace(line.charAt(line.length() - 1))) {
        problems.add(where + ": trailing whitespace");
      }
      int indent = line.length() - line.stripLeading().length();
      if (!line.isBlank() && indent % 2 != 0) {
        problems.add(where + ": indentation of " + indent + " is not a multiple of two");
      }
    }
    return problems;
  }

  // ---- broken fixtures: each rule can fail

  @Test
  void aCleanFixtureHasNoProblem() {
    assertThat(lint("ok.yaml", "---\nkind: ConfigMap\ndata:\n  a: b\n")).isEmpty();
  }

  @Test
  void eachRuleReportsItsBreak() {
    assertThat(lint("x.yaml", "kind: ConfigMap\n")).containsExactly("x.yaml: start with a document marker (---)");
    assertThat(lint("x.yaml", "---\nkind: ConfigMap")).containsExactly("x.yaml: end with exactly one newline");
    assertThat(lint("x.yaml", "---\nkind: ConfigMap\n\n")).containsExactly("x.yaml: end with exactly one newline");
    assertThat(lint("x.yaml", "---\na: " + "b".repeat(78) + "\n")).containsExactly("x.yaml:2: longer than 80 columns");
    assertThat(lint("x.yaml", "---\na: " + "b".repeat(77) + "\n")).as("80 columns exactly is fine").isEmpty();
    assertThat(lint("x.yaml", "---\na:\n\tb: c\n")).containsExactly("x.yaml:3: tab", "x.yaml:3: indentation of 1 is not a multiple of two");
    assertThat(lint("x.yaml", "---\na: b \n")).containsExactly("x.yaml:2: trailing whitespace");
    assertThat(lint("x.yaml", "---\na:\n   b: c\n")).containsExactly("x.yaml:3: indentation of 3 is not a multiple of two");
  }
}
