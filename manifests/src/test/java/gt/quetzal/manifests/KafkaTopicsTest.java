package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.devstack.TopicSetup;
import gt.quetzal.devstack.TopicSpec;
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

  /** topics.txt with the Job's PARTITIONS, as the Job's script reads it in {@code rendered}. */
  static List<TopicSpec> jobPlan(Rendered rendered) {
    String text = rendered.configMap("kafka-scripts").orElseThrow().getData().get("topics.txt");
    return TopicPlan.parse(text, partitions(rendered));
  }

  static int partitions(Rendered rendered) {
    Rendered.Workload job = rendered.workload("kafka-topics").orElseThrow();
    return Integer.parseInt(PodEnv.resolve(rendered, job, job.containers().get(0)).values().get("PARTITIONS"));
  }

  static List<TopicSpec> jobPlan() {
    return jobPlan(Deployments.local());
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
  void localRunsThreePartitionsAsTheDevstackAndProdItsOwnCountWhole() {
    assertThat(partitions(Deployments.local())).isEqualTo(TopicSetup.DEFAULT_PARTITIONS);
    // Prod's count is the capacity model's (bench's ProdOverlayTest); here, that the Job applies it whole.
    int prod = partitions(Deployments.prod());
    assertThat(prod).isGreaterThan(3);
    assertThat(jobPlan(Deployments.prod())).containsExactlyInAnyOrderElementsOf(TopicSetup.plan(prod));
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
