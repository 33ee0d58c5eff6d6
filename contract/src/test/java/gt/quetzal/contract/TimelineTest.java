package gt.quetzal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class TimelineTest {

  private static final long MINUTE = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  @Test
  void aMinuteIsADecimalFieldAndAnExplicitStreamId() {
    assertThat(Timeline.field(MINUTE)).isEqualTo("1767225600000");
    assertThat(Timeline.entryId(MINUTE)).isEqualTo("1767225600000-0");
    assertThat(Timeline.minuteOf("1767225600000-0")).isEqualTo(MINUTE);
    assertThat(Timeline.minuteOf(Timeline.entryId(MINUTE + 60_000))).isEqualTo(MINUTE + 60_000);
  }

  @Test
  void onlyPositiveMinuteBoundariesCanBeEncoded() {
    // 0-0 is not a valid stream ID, and a negative one does not parse.
    assertThatThrownBy(() -> Timeline.field(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Timeline.field(-60_000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Timeline.field(MINUTE + 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Timeline.minuteOf("garbage")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theStreamIsTheHashesPivotedByMinuteWithBandsInNameOrder() {
    Map<String, Map<String, String>> hashes =
        Map.of(
            "Viernes Verde", Map.of("1767225600000", "2", "1767225660000", "7"),
            "Alux Nahual", Map.of("1767225600000", "5"),
            "Bohemia Suburbana", Map.of("1767225720000", "1"));

    SortedMap<Long, SortedMap<String, String>> stream = Timeline.streamOf(hashes, 100);

    assertThat(stream.keySet()).containsExactly(MINUTE, MINUTE + 60_000, MINUTE + 120_000);
    assertThat(stream.get(MINUTE)).containsExactly(Map.entry("Alux Nahual", "5"), Map.entry("Viernes Verde", "2"));
    assertThat(stream.get(MINUTE + 60_000)).containsExactly(Map.entry("Viernes Verde", "7"));
    assertThat(stream.get(MINUTE + 120_000)).containsExactly(Map.entry("Bohemia Suburbana", "1"));
  }

  @Test
  void theStreamKeepsOnlyTheNewestMinutes() {
    Map<String, Map<String, String>> hashes =
        Map.of("Alux Nahual", Map.of("1767225600000", "1", "1767225660000", "2", "1767225720000", "3"));

    assertThat(List.copyOf(Timeline.streamOf(hashes, 2).keySet())).containsExactly(MINUTE + 60_000, MINUTE + 120_000);
  }
}
