package gt.quetzal.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.KafkaPublisherConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The anchor must send what the routes send, with the routes' producer: a cheaper one flatters nobody. */
class ProducerBaselineTest {

  private static final List<Map<String, String>> VOTES = List.of(
      Map.of("name", "Alux Nahual", "album", "Hielo y Fuego", "year", "1983", "rank", "7"),
      Map.of("name", "Bohemia Suburbana", "album", "Mil Palabras", "year", "1994", "rank", "100"),
      Map.of("name", "Malacates Trébol Shop", "album", "Niño Del Mundo", "year", "2007", "rank", "55"));

  @Test
  void eachPayloadIsTheVotesRawValueOfAVotePaddedToTheRoutesRecordLength() {
    List<String> payloads = ProducerBaseline.payloads(VOTES);

    assertThat(payloads).hasSize(VOTES.size());
    for (int i = 0; i < payloads.size(); i++) {
      String payload = payloads.get(i);
      assertThat(payload).doesNotContain("\n").endsWith(" ".repeat(ProducerBaseline.KEY_PADDING));
      VoteEvent read =
          Topics.VOTES_RAW.valueSerde().deserializer().deserialize("t", payload.strip().getBytes(StandardCharsets.UTF_8));
      Map<String, String> vote = VOTES.get(i);
      assertThat(read.name()).isEqualTo(vote.get("name"));
      assertThat(read.album()).isEqualTo(vote.get("album"));
      assertThat(read.year()).isEqualTo(Integer.parseInt(vote.get("year")));
      assertThat(read.rank()).isEqualTo(Integer.parseInt(vote.get("rank")));
      assertThat(read.voteId()).hasSize(36);
      assertThat(read.channel()).isEqualTo(VoteEvent.CHANNEL_HTTP);
      byte[] value = Topics.VOTES_RAW.valueSerde().serializer().serialize("t", read);
      // the tool's 10-digit key plus this payload: a route's 36-character voteId plus its value
      assertThat(Integer.toString(ProducerBaseline.KEY_RANGE).length() + payload.getBytes(StandardCharsets.UTF_8).length)
          .isEqualTo(read.voteId().length() + value.length);
    }
  }

  @Test
  void theToolGetsEveryPropertyOfTheIngestProducerAndTheVotesAsPayloads() throws Exception {
    KafkaPublisherConfig kafka = new KafkaPublisherConfig("ignored:1", "ingest-http", 7, 32_768, "lz4", 5_000, 10_000, 2_000, 2_000, 1_000);
    Path payloads = ProducerBaseline.writePayloadFile(VOTES);

    List<String> command = ProducerBaseline.command("broker:9092", 1_000, kafka.producerProperties(), payloads);

    List<String> lines = List.of(Files.readString(payloads, StandardCharsets.UTF_8).split("\n"));
    assertThat(lines).hasSize(VOTES.size());
    assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("{\"voteId\":").endsWith("} " + " ".repeat(ProducerBaseline.KEY_PADDING - 1)));
    String arguments = String.join(" ", command);
    assertThat(arguments)
        .contains("--payload-file " + payloads, "--key-distribution random", "--bootstrap-server broker:9092")
        .doesNotContain("--record-size", "client.id", "bootstrap.servers=ignored");
    List<String> properties = command.subList(command.indexOf("--command-property") + 1, command.size());
    assertThat(properties).contains(
        "acks=all", "enable.idempotence=true", "max.in.flight.requests.per.connection=5", "linger.ms=7",
        "batch.size=32768", "compression.type=lz4");
    assertThat(properties).hasSize(kafka.producerProperties().size() - 2); // all but bootstrap and client id
  }
}
