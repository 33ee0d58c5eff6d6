package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.VoteEvent;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** The readers' parsing of what the sinks stored, without a store. */
class ReadersTest {

  @Test
  void redisTotalsSkipNonNumericFields() {
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put("Alux Nahual", "12");
    raw.put("Broken", "twelve");
    raw.put("Malacates Trébol Shop", "7");
    assertThat(RedisStandingsReader.parseTotals(raw))
        .containsExactly(Map.entry("Alux Nahual", 12L), Map.entry("Malacates Trébol Shop", 7L));
  }

  @Test
  void mongoDocumentBecomesTheVoteItWasWrittenFrom() {
    Document doc =
        new Document("_id", "v-1")
            .append("name", "Malacates Trébol Shop")
            .append("album", "Niño Dios")
            .append("year", 2004)
            .append("rank", 87)
            .append("channel", "grpc")
            .append("receivedAt", new Date(1_700_000_000_123L));
    assertThat(MongoVoteLogReader.toVote(doc))
        .isEqualTo(
            new VoteEvent("v-1", "Malacates Trébol Shop", "Niño Dios", 2004, 87, null, "grpc", 1_700_000_000_123L));
  }

  @Test
  void aMalformedMongoDocumentIsSkipped() {
    assertThat(MongoVoteLogReader.toVote(new Document("_id", "v-2").append("name", "x"))).isNull();
  }
}
