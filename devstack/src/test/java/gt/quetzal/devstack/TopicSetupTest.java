package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import java.util.Map;
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
  void theCountScalesTheTopicsKeyedPerVoteBandAlbumOrMinuteOnly() {
    assertThat(TopicSetup.SCALED).containsExactlyInAnyOrder("votes.raw", "votes.accepted", "tallies.bands",
        "tallies.albums", "tallies.bands-per-minute");
    assertThat(TopicSetup.plan(12)).allSatisfy(spec -> assertThat(spec.partitions()).as(spec.name())
        .isEqualTo(TopicSetup.SCALED.contains(spec.name()) ? 12 : 1));
  }

  @Test
  void anotherCountIsRefusedNamingEveryTopicThatDiffers() {
    assertThatThrownBy(() -> TopicSetup.refuseOtherCounts(TopicSetup.plan(12),
            Map.of("votes.raw", 3, "tallies.bands", 3, "tallies.stats", 1, "votes.accepted", 12)))
        .isInstanceOfSatisfying(TopicSetup.PartitionCountException.class, e -> assertThat(e.created()).isEqualTo(3))
        .hasMessageStartingWith("the topics exist with another partition count: votes.raw has 3 partitions, not 12; "
            + "tallies.bands has 3 partitions, not 12.");
    TopicSetup.refuseOtherCounts(TopicSetup.plan(12), Map.of("votes.raw", 12, "tallies.stats", 1));
  }

  @Test
  void rawVotesHaveThreePartitionsLocally() {
    assertThat(TopicSetup.PLAN).filteredOn(s -> s.name().equals("votes.raw"))
        .singleElement()
        .extracting(TopicSpec::partitions)
        .isEqualTo(3);
  }
}
