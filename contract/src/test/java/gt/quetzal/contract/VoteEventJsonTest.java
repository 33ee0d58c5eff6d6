package gt.quetzal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class VoteEventJsonTest {

  private final Serde<VoteEvent> serde = Topics.VOTES_RAW.valueSerde();

  @Test
  void roundTripsThroughTheTopicSerdeKeepingAccents() {
    VoteEvent vote =
        new VoteEvent("0190-a", "Malacates Trébol Shop", "Crónicas", 2009, 87, null, "http", 1_700_000_000_000L);

    byte[] bytes = serde.serializer().serialize("votes.raw", vote);
    String json = new String(bytes, StandardCharsets.UTF_8);

    assertThat(json).contains("\"name\":\"Malacates Trébol Shop\"").doesNotContain("voterId");
    assertThat(serde.deserializer().deserialize("votes.raw", bytes)).isEqualTo(vote);
  }

  @Test
  void missingRequiredNumberIsASerializationError() {
    byte[] bytes =
        "{\"voteId\":\"v\",\"name\":\"a\",\"album\":\"b\",\"rank\":1,\"channel\":\"http\",\"receivedAt\":1}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> serde.deserializer().deserialize("votes.raw", bytes))
        .isInstanceOf(SerializationException.class);
  }
}
