package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicIdsTest {

  @Test
  void unseenTopicsAreToRecordAndKnownOnesPass() {
    assertThat(TopicIds.unrecorded("redis", Map.of("tallies.bands", "A"), Map.of("tallies.bands", "A", "tallies.stats", "B")))
        .containsExactly(Map.entry("tallies.stats", "B"));
    assertThat(TopicIds.unrecorded("redis", Map.of("tallies.bands", "A"), Map.of("tallies.bands", "A"))).isEmpty();
  }

  @Test
  void aRecreatedTopicIsRefusedByNameWithBothIds() {
    assertThatThrownBy(() -> TopicIds.unrecorded(
            "mongo", Map.of("votes.rejected", "old-id", "votes.accepted", "A"), Map.of("votes.rejected", "new-id", "votes.accepted", "A")))
        .isInstanceOf(TopicIds.RecreatedException.class)
        .hasMessageContaining("votes.rejected is new-id, but mongo mirrors old-id")
        .hasMessageContaining("Recreated topics")
        .message().doesNotContain("votes.accepted");
  }
}
