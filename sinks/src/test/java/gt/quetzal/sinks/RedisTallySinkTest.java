package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RedisTallySinkTest {

  private static final String TOPIC = "tallies.bands";

  private static ConsumerRecord<String, Long> rec(int partition, long offset, String band, Long total) {
    return new ConsumerRecord<>(TOPIC, partition, offset, band, total);
  }

  @Test
  void keepsOnlyTheLatestTotalPerBand() {
    List<ConsumerRecord<String, Long>> batch =
        List.of(
            rec(0, 10, "Alux Nahual", 1L),
            rec(1, 4, "Malacates Trébol Shop", 7L),
            rec(0, 11, "Alux Nahual", 2L),
            rec(1, 5, "Malacates Trébol Shop", 8L),
            rec(0, 12, "Alux Nahual", 3L),
            rec(2, 0, "Bohemia Suburbana", 1L));

    Map<String, Long> latest = RedisTallySink.latestPerBand(batch);

    assertThat(latest)
        .containsExactly(
            Map.entry("Alux Nahual", 3L),
            Map.entry("Malacates Trébol Shop", 8L),
            Map.entry("Bohemia Suburbana", 1L));
  }

  @Test
  void aTombstoneAfterAValueWinsAndAValueAfterATombstoneWins() {
    List<ConsumerRecord<String, Long>> batch = new ArrayList<>();
    batch.add(rec(0, 0, "Viernes Verde", 5L));
    batch.add(rec(0, 1, "Viernes Verde", null));
    batch.add(rec(0, 2, "Ricardo Arjona", null));
    batch.add(rec(0, 3, "Ricardo Arjona", 9L));

    Map<String, Long> latest = RedisTallySink.latestPerBand(batch);

    assertThat(latest).containsKey("Viernes Verde");
    assertThat(latest.get("Viernes Verde")).isNull();
    assertThat(latest.get("Ricardo Arjona")).isEqualTo(9L);
  }

  @Test
  void recordsWithoutABandAreIgnored() {
    Map<String, Long> latest =
        RedisTallySink.latestPerBand(List.of(rec(0, 0, null, 4L), rec(0, 1, "Extravaganza", 2L)));
    assertThat(latest).containsExactly(Map.entry("Extravaganza", 2L));
  }

  @Test
  void changeNoteIsSmallJson() throws Exception {
    JsonNode note = Json.MAPPER.readTree(RedisTallySink.changeNote(3, 1_700_000_000_123L));
    assertThat(note.get("kind").asText()).isEqualTo("bands");
    assertThat(note.get("changed").asInt()).isEqualTo(3);
    assertThat(note.get("updatedAt").asLong()).isEqualTo(1_700_000_000_123L);
  }
}
