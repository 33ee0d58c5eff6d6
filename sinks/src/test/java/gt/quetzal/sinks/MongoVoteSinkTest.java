package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.bulk.BulkWriteError;
import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.VoteEvent;
import java.util.Date;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.junit.jupiter.api.Test;

class MongoVoteSinkTest {

  @Test
  void documentUsesVoteIdAsIdAndARealDate() {
    VoteEvent vote =
        new VoteEvent(
            "0190a0b0-0000-7000-8000-000000000001",
            "Malacates Trébol Shop",
            "Niño Dios",
            2004,
            87,
            "votante-ñ",
            VoteEvent.CHANNEL_HTTP,
            1_700_000_000_123L);

    RawBsonDocument bson = MongoVoteSink.toBson(vote);
    Document doc = bson.decode(new DocumentCodec());

    assertThat(doc.get("_id")).isEqualTo("0190a0b0-0000-7000-8000-000000000001");
    assertThat(doc.getString("name")).isEqualTo("Malacates Trébol Shop");
    assertThat(doc.getString("album")).isEqualTo("Niño Dios");
    assertThat(doc.getInteger("year")).isEqualTo(2004);
    assertThat(doc.getInteger("rank")).isEqualTo(87);
    assertThat(doc.getString("voterId")).isEqualTo("votante-ñ");
    assertThat(doc.getString("channel")).isEqualTo("http");
    assertThat(doc.get("receivedAt")).isEqualTo(new Date(1_700_000_000_123L));
    assertThat(doc).doesNotContainKey("voteId");
    // In BSON, receivedAt is a date (type 0x09), not a number or a string; year and rank are int32.
    assertThat(bson.keySet()).containsExactly("_id", "name", "album", "year", "rank", "voterId", "channel", "receivedAt");
    assertThat(bson.get("year").isInt32()).isTrue();
    assertThat(bson.get("rank").isInt32()).isTrue();
    assertThat(bson.get("receivedAt").isDateTime()).isTrue();
    assertThat(bson.get("receivedAt").asDateTime().getValue()).isEqualTo(1_700_000_000_123L);
  }

  @Test
  void anAbsentVoterIdIsLeftOut() {
    VoteEvent vote = new VoteEvent("v1", "Alux Nahual", "Alux Nahual", 1982, 50, null, "grpc", 1L);
    assertThat(MongoVoteSink.toBson(vote).keySet()).containsExactly("_id", "name", "album", "year", "rank", "channel", "receivedAt");
  }

  @Test
  void aRejectionIsKeyedByItsPlaceInTheTopicAndKeepsItsReason() {
    RejectedVote rejection =
        new RejectedVote("v-7", "unknown_album", "album 'X' is not in the catalog", "{\"name\":\"Alux Nahual\"}", 1_767_225_600_500L);

    Document doc = MongoVoteSink.toDocument(2, 41, rejection);

    assertThat(doc.get("_id")).isEqualTo("2-41");
    assertThat(doc.getString("voteId")).isEqualTo("v-7");
    assertThat(doc.getString("reason")).isEqualTo("unknown_album");
    assertThat(doc.getString("detail")).isEqualTo("album 'X' is not in the catalog");
    assertThat(doc.getString("raw")).isEqualTo("{\"name\":\"Alux Nahual\"}");
    BsonDocument bson = doc.toBsonDocument();
    assertThat(bson.get("rejectedAt").isDateTime()).isTrue();
    assertThat(bson.get("rejectedAt").asDateTime().getValue()).isEqualTo(1_767_225_600_500L);
  }

  @Test
  void aRejectionWithoutAVoteIdStillGetsADeterministicId() {
    RejectedVote unreadable = new RejectedVote(null, "unparseable", "not JSON", "{oops", 5L);

    Document first = MongoVoteSink.toDocument(0, 7, unreadable);
    Document replayed = MongoVoteSink.toDocument(0, 7, unreadable);

    assertThat(first).doesNotContainKey("voteId");
    assertThat(first.get("_id")).isEqualTo("0-7");
    assertThat(replayed).isEqualTo(first);
    assertThat(MongoVoteSink.toDocument(1, 7, unreadable).get("_id")).isNotEqualTo(first.get("_id"));
  }

  @Test
  void onlyDuplicateKeyErrorsCountAsSuccess() {
    BulkWriteError dup1 = new BulkWriteError(11000, "E11000 duplicate key", new BsonDocument(), 0);
    BulkWriteError dup2 = new BulkWriteError(11000, "E11000 duplicate key", new BsonDocument(), 3);
    BulkWriteError other = new BulkWriteError(121, "Document failed validation", new BsonDocument(), 1);

    assertThat(MongoVoteSink.onlyDuplicates(List.of(dup1, dup2))).isTrue();
    assertThat(MongoVoteSink.onlyDuplicates(List.of(dup1, other))).isFalse();
  }
}
