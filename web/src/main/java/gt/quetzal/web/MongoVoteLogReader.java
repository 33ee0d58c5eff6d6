package gt.quetzal.web;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.VoteEvent;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads {@code quetzal.votes} as the sinks wrote it: {@code _id = voteId}, {@code receivedAt} a BSON date. */
public final class MongoVoteLogReader implements VoteLogReader {

  private static final Logger log = LoggerFactory.getLogger(MongoVoteLogReader.class);

  private final MongoDatabase database;
  private final MongoCollection<Document> votes;

  public MongoVoteLogReader(MongoDatabase database) {
    this.database = Objects.requireNonNull(database, "database");
    this.votes = database.getCollection(MongoNames.VOTES);
  }

  @Override
  public List<VoteEvent> newest(int limit) {
    List<VoteEvent> newest = new ArrayList<>(limit);
    // _id breaks ties: voteIds are time-ordered (UUIDv7), so equal timestamps still read newest first.
    for (Document doc : votes.find().sort(Sorts.descending("receivedAt", "_id")).limit(limit)) {
      VoteEvent vote = toVote(doc);
      if (vote != null) {
        newest.add(vote);
      }
    }
    return newest;
  }

  /** {@code null} for a document missing a required field: one bad document must not hide the log. */
  static VoteEvent toVote(Document doc) {
    Object id = doc.get("_id");
    String name = doc.getString("name");
    String album = doc.getString("album");
    String channel = doc.getString("channel");
    Long receivedAt = millis(doc.get("receivedAt"));
    if (id == null || name == null || album == null || channel == null || receivedAt == null) {
      log.warn("skipping malformed vote document {}", id);
      return null;
    }
    return new VoteEvent(
        id.toString(),
        name,
        album,
        intValue(doc.get("year")),
        intValue(doc.get("rank")),
        doc.getString("voterId"),
        channel,
        receivedAt);
  }

  private static Long millis(Object value) {
    if (value instanceof Date date) {
      return date.getTime();
    }
    if (value instanceof Number number) {
      return number.longValue();
    }
    return null;
  }

  private static int intValue(Object value) {
    return value instanceof Number number ? number.intValue() : 0;
  }

  @Override
  public void ping() {
    database.runCommand(new Document("ping", 1));
  }
}
