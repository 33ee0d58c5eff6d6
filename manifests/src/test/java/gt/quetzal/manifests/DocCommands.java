package gt.quetzal.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What can be checked offline about the commands in the docs' fenced shell blocks: paths given to
 * {@code -f}, {@code -k}, {@code --traffic} and {@code --catalog} exist; {@code ./quetzal}
 * subcommands and options are ones the launcher's help lists; a Locust run names user classes and
 * custom options its locustfile defines. Plus: every markdown link to a .md file points at one.
 * Placeholders ({@code <node>}, {@code $VAR}, {@code /tmp/...}, absolute paths) are not checked.
 */
final class DocCommands {

  private static final Pattern FENCE = Pattern.compile("(?ms)^```(bash|sh|shell|console)\\n(.*?)^```");
  private static final Pattern MD_LINK = Pattern.compile("\\]\\(([^)\\s#]+\\.md)(#[^)]*)?\\)");
  private static final Set<String> PATH_OPTIONS = Set.of("-f", "-k", "--traffic", "--catalog");

  /** Locust's own options (2.x) and whether each takes a value; the rest must be the locustfile's. */
  static final Map<String, Boolean> LOCUST_OPTIONS = Map.ofEntries(
      Map.entry("-f", true), Map.entry("--locustfile", true), Map.entry("-H", true), Map.entry("--host", true),
      Map.entry("-u", true), Map.entry("--users", true), Map.entry("-r", true), Map.entry("--spawn-rate", true),
      Map.entry("-t", true), Map.entry("--run-time", true), Map.entry("--headless", false), Map.entry("--autostart", false),
      Map.entry("--csv", true), Map.entry("--csv-full-history", false), Map.entry("--html", true),
      Map.entry("--only-summary", false), Map.entry("--print-stats", false), Map.entry("--reset-stats", false),
      Map.entry("-L", true), Map.entry("--loglevel", true), Map.entry("--logfile", true), Map.entry("--stop-timeout", true),
      Map.entry("--processes", true), Map.entry("--master", false), Map.entry("--worker", false),
      Map.entry("--master-host", true), Map.entry("--expect-workers", true), Map.entry("-T", true), Map.entry("--tags", true),
      Map.entry("-E", true), Map.entry("--exclude-tags", true), Map.entry("--web-port", true), Map.entry("--config", true),
      Map.entry("-l", false), Map.entry("--list", false), Map.entry("--class-picker", false), Map.entry("--skip-log-setup", false));

  /** The launcher's grammar, as its help prints it: per command, its subcommands and its options. */
  record Launcher(Map<String, Set<String>> subcommands, Map<String, Set<String>> options) {

    /** Commands with a help of their own ({@code ./quetzal CMD --help}), whose options it lists. */
    static final List<String> OWN_HELP = List.of("load", "k8s");

    static Launcher fromHelp(String help, Map<String, String> ownHelps) {
      Map<String, Set<String>> subcommands = new TreeMap<>();
      Map<String, Set<String>> options = new TreeMap<>();
      boolean inCommands = false;
      for (String line : help.split("\n")) {
        if (line.startsWith("Commands:")) {
          inCommands = true;
        } else if (!line.startsWith(" ") && !line.isBlank()) {
          inCommands = false;
        } else if (inCommands && line.matches("  \\S.*")) {
          String usage = line.strip().split(" {2,}")[0];
          String[] words = usage.split(" ");
          subcommands.computeIfAbsent(words[0], k -> new TreeSet<>());
          options.computeIfAbsent(words[0], k -> new TreeSet<>(Set.of("--help", "-h")));
          for (int i = 1; i < words.length; i++) {
            String word = words[i].replaceAll("[\\[\\]]", "");
            if (word.matches("--[a-z][a-z-]*")) {
              options.get(words[0]).add(word);
            } else if (i == 1 && word.matches("[a-z][a-z-]*")) {
              subcommands.get(words[0]).add(word);
            }
          }
        }
      }
      ownHelps.forEach((command, ownHelp) -> {
        Matcher m = Pattern.compile("(?m)^ {2}(--[a-z][a-z-]*)").matcher(ownHelp);
        while (m.find()) {
          options.computeIfAbsent(command, k -> new TreeSet<>()).add(m.group(1));
        }
      });
      return new Launcher(subcommands, options);
    }

    /** Runs {@code ./quetzal help} and each {@code ./quetzal CMD --help} of {@link #OWN_HELP}: they print and exit, offline. */
    static Launcher of(Path root) {
      Map<String, String> ownHelps = new TreeMap<>();
      OWN_HELP.forEach(command -> ownHelps.put(command, run(root, command, "--help")));
      return fromHelp(run(root, "help"), ownHelps);
    }

    private static String run(Path root, String... args) {
      List<String> command = new ArrayList<>(List.of("bash", root.resolve("quetzal").toString()));
      command.addAll(List.of(args));
      try {
        Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("./quetzal " + String.join(" ", args) + " failed: " + out);
        }
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private final Path root;
  private final Launcher launcher;

  DocCommands(Path root, Launcher launcher) {
    this.root = root;
    this.launcher = launcher;
  }

  /** Problems of one markdown document; {@code dir} is the directory its relative links start from. */
  List<String> check(String name, String markdown, Path dir) {
    List<String> problems = new ArrayList<>();
    Matcher link = MD_LINK.matcher(markdown);
    while (link.find()) {
      String target = link.group(1);
      if (!target.contains("://") && !Files.isRegularFile(dir.resolve(target).normalize())) {
        problems.add(name + ": link to " + target + ", which does not exist");
      }
    }
    Matcher fence = FENCE.matcher(markdown);
    while (fence.find()) {
      for (List<String> command : commands(fence.group(2))) {
        checkCommand(name, command, problems);
      }
    }
    return problems;
  }

  private void checkCommand(String name, List<String> words, List<String> problems) {
    List<String> c = new ArrayList<>(words);
    while (!c.isEmpty() && (c.get(0).matches("[A-Z_][A-Z0-9_]*=.*") || Set.of("sudo", "do", "then").contains(c.get(0)))) {
      c.remove(0); // VAR=value, sudo and loop/if keywords
    }
    for (int i = 0; i < c.size(); i++) {
      if (c.get(i).matches("\\d?>>?.*|<")) {
        c = c.subList(0, i); // a redirection and what follows are not the command's arguments
        break;
      }
    }
    if (c.isEmpty()) {
      return;
    }
    String where = name + ": `" + String.join(" ", words) + "`";
    for (int i = 0; i + 1 < c.size(); i++) {
      String option = c.get(i);
      String value = c.get(i + 1);
      if (option.startsWith("--") && option.contains("=")) {
        value = option.substring(option.indexOf('=') + 1);
        option = option.substring(0, option.indexOf('='));
      }
      if (PATH_OPTIONS.contains(option) && !placeholder(value) && !Files.exists(root.resolve(value))) {
        problems.add(where + ": " + option + " " + value + " does not exist");
      }
    }
    if (c.get(0).equals("./quetzal")) {
      quetzal(where, c, problems);
    } else if (c.get(0).endsWith("locust")) {
      locust(where, c, problems);
    }
  }

  private static boolean placeholder(String value) {
    return value.equals("none") || value.equals("-") || value.startsWith("/") || value.startsWith("~")
        || value.contains("<") || value.contains("$");
  }

  private void quetzal(String where, List<String> c, List<String> problems) {
    if (c.size() < 2) {
      return;
    }
    String command = c.get(1);
    if (!launcher.subcommands().containsKey(command)) {
      problems.add(where + ": ./quetzal has no command " + command + " (./quetzal help lists " + launcher.subcommands().keySet() + ")");
      return;
    }
    Set<String> subs = launcher.subcommands().get(command);
    if (!subs.isEmpty() && c.size() > 2 && !c.get(2).startsWith("-") && !subs.contains(c.get(2))) {
      problems.add(where + ": ./quetzal " + command + " has no subcommand " + c.get(2) + " (it has " + subs + ")");
    }
    Set<String> options = launcher.options().getOrDefault(command, Set.of());
    for (String word : c.subList(2, c.size())) {
      String option = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
      if (option.startsWith("-") && !options.contains(option)) {
        problems.add(where + ": ./quetzal " + command + " has no option " + option + " (it has " + options + ")");
      }
    }
  }

  private void locust(String where, List<String> c, List<String> problems) {
    int f = c.indexOf("-f");
    if (f < 0 || f + 1 >= c.size() || !Files.isRegularFile(root.resolve(c.get(f + 1)))) {
      return; // no locustfile to compare with (a missing one is already reported)
    }
    String source;
    try {
      source = Files.readString(root.resolve(c.get(f + 1)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Boolean> custom = new HashMap<>();
    Matcher option = Pattern.compile("add_argument\\(\\s*\"(--[a-z][a-z0-9-]*)\"([^)]*)").matcher(source);
    while (option.find()) {
      custom.put(option.group(1), !option.group(2).contains("store_true"));
    }
    Set<String> classes = new TreeSet<>();
    Matcher user = Pattern.compile("(?m)^class (\\w+)\\(\\w*User\\)").matcher(source);
    while (user.find()) {
      classes.add(user.group(1));
    }
    for (int i = 1; i < c.size(); i++) {
      String word = c.get(i);
      if (word.startsWith("-")) {
        String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
        Boolean takesValue = LOCUST_OPTIONS.containsKey(name) ? LOCUST_OPTIONS.get(name) : custom.get(name);
        if (takesValue == null) {
          problems.add(where + ": " + name + " is neither Locust's option nor one " + c.get(f + 1) + " adds " + new TreeSet<>(custom.keySet()));
        } else if (takesValue && !word.contains("=")) {
          i++;
        }
      } else if (!classes.contains(word)) {
        problems.add(where + ": " + c.get(f + 1) + " has no user class " + word + " (it has " + classes + ")");
      }
    }
  }

  /**
   * The simple commands of a shell block: continuation lines joined, comments dropped, split at
   * {@code && || ; | &} and newlines, words split at blanks outside quotes (quotes removed).
   */
  static List<List<String>> commands(String block) {
    List<List<String>> out = new ArrayList<>();
    List<String> current = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    String text = block.replace("\\\n", " ");
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        } else {
          word.append(ch);
        }
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
        inWord = true;
      } else if (ch == '#' && !inWord) {
        while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
          i++;
        }
      } else if (ch == ' ' || ch == '\t') {
        inWord = flush(word, inWord, current);
      } else if (ch == '\n' || ch == ';' || ch == '|' || ch == '&') {
        inWord = flush(word, inWord, current);
        if (!current.isEmpty()) {
          out.add(current);
          current = new ArrayList<>();
        }
      } else {
        word.append(ch);
        inWord = true;
      }
    }
    flush(word, inWord, current);
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  private static boolean flush(StringBuilder word, boolean inWord, List<String> current) {
    if (inWord) {
      current.add(word.toString());
      word.setLength(0);
    }
    return false;
  }
}
