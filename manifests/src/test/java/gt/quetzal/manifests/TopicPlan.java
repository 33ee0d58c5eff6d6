package gt.quetzal.manifests;

import gt.quetzal.devstack.TopicSetup;
import gt.quetzal.devstack.TopicSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The topic Job's plan: its PARTITIONS is in range, and topics.txt read with it is the devstack's
 * {@link TopicSetup#plan} exactly, so a cluster lays topics out as every local run and integration test
 * does, and no application meets a missing topic (brokers here refuse to auto-create).
 */
final class TopicPlan {

  /** The word in topics.txt standing for the Job's PARTITIONS. */
  static final String PARTITIONS = "$PARTITIONS";

  private TopicPlan() {}

  /** Problems of the Job's plan; an unset PARTITIONS is left to the script check, which names it. */
  static List<String> check(Rendered r, Map<String, String> jobEnv) {
    List<String> problems = new ArrayList<>();
    String value = jobEnv.get("PARTITIONS");
    if (value == null) {
      return problems;
    }
    int partitions = value.matches("\\d{1,9}") ? Integer.parseInt(value) : -1;
    if (partitions < 1 || partitions > TopicSetup.MAX_PARTITIONS) {
      problems.add(r.name() + ": Job/kafka-topics: PARTITIONS=" + value + " must be an integer within 1.."
          + TopicSetup.MAX_PARTITIONS + " (TopicSetup.MAX_PARTITIONS)");
      return problems;
    }
    Optional<String> text = r.configMap("kafka-scripts").map(cm -> cm.getData().get("topics.txt"));
    if (text.isEmpty()) {
      problems.add(r.name() + ": ConfigMap/kafka-scripts: no topics.txt, the plan create-topics.sh reads");
      return problems;
    }
    List<TopicSpec> declared;
    try {
      declared = parse(text.get(), partitions);
    } catch (IllegalArgumentException e) {
      problems.add(r.name() + ": ConfigMap/kafka-scripts topics.txt: " + e.getMessage());
      return problems;
    }
    List<TopicSpec> planned = TopicSetup.plan(partitions);
    String plan = "TopicSetup.plan(" + partitions + ")";
    for (TopicSpec spec : planned) {
      Optional<TopicSpec> line = declared.stream().filter(d -> d.name().equals(spec.name())).findFirst();
      if (line.isEmpty()) {
        problems.add(r.name() + ": ConfigMap/kafka-scripts topics.txt: no line for " + spec.name() + ", which " + plan + " declares");
      } else if (!line.get().equals(spec)) {
        problems.add(r.name() + ": ConfigMap/kafka-scripts topics.txt: " + spec.name() + " has " + line.get().partitions()
            + " partitions " + line.get().configs() + " where " + plan + " has " + spec.partitions() + " " + spec.configs());
      }
    }
    declared.stream().filter(d -> planned.stream().noneMatch(p -> p.name().equals(d.name())))
        .forEach(d -> problems.add(r.name() + ": ConfigMap/kafka-scripts topics.txt: " + d.name() + " is not in " + plan));
    return problems;
  }

  /**
   * topics.txt as create-topics.sh reads it: name, partitions ({@value #PARTITIONS}: {@code partitions}),
   * optional comma-separated configs.
   *
   * @throws IllegalArgumentException naming the first line the script could not use
   */
  static List<TopicSpec> parse(String text, int partitions) {
    List<TopicSpec> specs = new ArrayList<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] words = trimmed.split("\\s+");
      boolean counted = words.length >= 2 && (words[1].equals(PARTITIONS) || words[1].matches("[1-9]\\d{0,8}"));
      boolean configured = words.length < 3 || Arrays.stream(words[2].split(",")).allMatch(p -> p.matches("[^=]+=.*"));
      if (words.length > 3 || !counted || !configured) {
        throw new IllegalArgumentException(
            "\"" + trimmed + "\" is not: name partitions|" + PARTITIONS + " [config=value,...]");
      }
      Map<String, String> configs = new LinkedHashMap<>();
      if (words.length > 2) {
        for (String pair : words[2].split(",")) {
          String[] kv = pair.split("=", 2);
          configs.put(kv[0], kv[1]);
        }
      }
      specs.add(new TopicSpec(words[0], words[1].equals(PARTITIONS) ? partitions : Integer.parseInt(words[1]), configs));
    }
    return specs;
  }
}
