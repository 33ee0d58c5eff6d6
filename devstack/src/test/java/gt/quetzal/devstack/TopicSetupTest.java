package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import org.junit.jupiter.api.Test;

class TopicSetupTest {

  @Test
  void everyContractTopicHasAPlannedPartitionCount() {
    assertThat(TopicSetup.PLAN)
        .extracting(TopicSpec::name)
        .containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topic::name).toList());
  }

  @Test
  void talliesAndTheContestAreCompactedAndVoteLogsAreNot() {
    for (TopicSpec spec : TopicSetup.PLAN) {
      boolean compacted = "compact".equals(spec.configs().get("cleanup.policy"));
      boolean latestPerKey = spec.name().startsWith("tallies.") || spec.name().equals(Topics.CONTEST_CATALOG.name());
      assertThat(compacted).as(spec.name()).isEqualTo(latestPerKey);
    }
  }

  @Test
  void rawVotesHaveThreePartitionsLocally() {
    assertThat(TopicSetup.PLAN).filteredOn(s -> s.name().equals("votes.raw"))
        .singleElement()
        .extracting(TopicSpec::partitions)
        .isEqualTo(3);
  }
}
