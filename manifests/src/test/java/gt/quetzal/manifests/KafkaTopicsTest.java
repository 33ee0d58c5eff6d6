package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.devstack.TopicSetup;
import gt.quetzal.devstack.TopicSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The topic Job declares exactly the devstack's partition plan, so the cluster and every local run and
 * integration test lay topics out the same way, and no application ever meets a missing topic
 * (brokers here refuse to auto-create).
 */
class KafkaTopicsTest {

  /** topics.txt as the Job's script reads it: name, partitions, optional comma-separated configs. */
  static List<TopicSpec> jobPlan() {
    String text = Deployments.local().configMap("kafka-scripts").orElseThrow().getData().get("topics.txt");
    List<TopicSpec> specs = new ArrayList<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] words = trimmed.split("\\s+");
      Map<String, String> configs = new LinkedHashMap<>();
      if (words.length > 2) {
        for (String pair : words[2].split(",")) {
          String[] kv = pair.split("=", 2);
          configs.put(kv[0], kv[1]);
        }
      }
      assertThat(words.length).as("line: " + line).isBetween(2, 3);
      specs.add(new TopicSpec(words[0], Integer.parseInt(words[1]), configs));
    }
    return specs;
  }

  @Test
  void theJobDeclaresTheDevstackPlanExactly() {
    assertThat(jobPlan()).containsExactlyInAnyOrderElementsOf(TopicSetup.PLAN);
  }

  @Test
  void everyContractTopicIsDeclared() {
    assertThat(jobPlan()).extracting(TopicSpec::name)
        .containsAll(Topics.ALL.stream().map(Topic::name).toList());
  }

  @Test
  void theIssuesPartitionCountsHold() {
    Map<String, Integer> partitions = new LinkedHashMap<>();
    jobPlan().forEach(s -> partitions.put(s.name(), s.partitions()));
    assertThat(partitions).containsEntry("votes.raw", 3).containsEntry("votes.accepted", 3)
        .containsEntry("votes.rejected", 1).containsEntry("tallies.bands", 3);
    jobPlan().stream().filter(s -> s.name().startsWith("tallies."))
        .forEach(s -> assertThat(s.configs()).as(s.name()).containsEntry("cleanup.policy", "compact"));
  }
}
