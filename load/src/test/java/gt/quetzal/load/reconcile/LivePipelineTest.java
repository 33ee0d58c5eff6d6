package gt.quetzal.load.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LivePipelineTest {

  @Test
  void theStreamsAppsStatsBecomeTheSameKeysAsTheRedisHash() {
    String body =
        "{\"accepted\":10,\"duplicates\":2,\"rejected\":3,\"rejectedByReason\":{\"unknown_band\":2,\"late\":1}}";

    assertThat(LivePipeline.flattenStats(body))
        .containsEntry("accepted", 10L)
        .containsEntry("duplicates", 2L)
        .containsEntry("rejected", 3L)
        .containsEntry("rejected.unknown_band", 2L)
        .containsEntry("rejected.late", 1L)
        .hasSize(5);
    assertThatThrownBy(() -> LivePipeline.flattenStats("<html>"))
        .isInstanceOf(Pipeline.PipelineException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void theRunPrefixMatchesOnlyThatRunsVoteIds() {
    Pattern prefix = Pattern.compile(LivePipeline.prefixPattern("q2611.26-ab:1"));

    assertThat(prefix.matcher("q2611.26-ab:1.http.0.t1-000001").lookingAt()).isTrue();
    assertThat(prefix.matcher("q2611x26-ab:1.http.0.t1").lookingAt()).as("a dot is not a wildcard").isFalse();
    assertThat(prefix.matcher("q2611.26-ab:10.http.0.t1").lookingAt()).as("a longer run id").isFalse();
    assertThat(prefix.matcher("xq2611.26-ab:1.http").lookingAt()).isFalse();
  }
}
