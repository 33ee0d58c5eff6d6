package gt.quetzal.web;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.VoteEvent;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code quetzal.votes} and {@code quetzal.rejected} as the sinks wrote them: {@code _id} as the
 * key, timestamps as BSON dates. Both logs are read newest first by (timestamp, {@code _id}) with keyset
 * paging, which the sinks' indexes ({@code receivedAt} descending, {@code name}+{@code receivedAt}) serve.
 */
public final class MongoVoteLogReader implements VoteLogReader {

  private static final Logger log = LoggerFactory.getLogger(MongoVoteLogReader.class);

  static final String RECEIVED_AT = "receivedAt";
  static final String REJECTED_AT = "rejectedAt";

  private final MongoDatabase database;
  private final MongoCollection<Document> votes;
  private final MongoCollection<Document> rejected;

  public MongoVoteLogReader(MongoDatabase database) {
    this.database = Objects.requireNonNull(database, "database");
    this.votes = database.getCollection(MongoNames.VOTES);
    this.rejected = database.getCollection(MongoNames.REJECTED);
  }

  @Override
  public LogPage<VoteEvent> votes(String band, LogCursor before, int limit) {
    Bson filter = band == null ? null : Filters.eq("name", band);
    return page(votes, RECEIVED_AT, filter, before, limit, MongoVoteLogReader::toVote);
  }

  @Override
  public Optional<VoteEvent> vote(String voteId) {
    Document doc = votes.find(Filters.eq("_id", voteId)).first();
    return doc == null ? Optional.empty() : Optional.ofNullable(toVote(doc));
  }

  @Override
  public LogPage<RejectedEntry> rejected(String reason, LogCursor before, int limit) {
    Bson filter = reason == null ? null : Filters.eq("reason", reason);
    return page(rejected, REJECTED_AT, filter, before, limit, MongoVoteLogReader::toRejected);
  }

  /**
   * Reads one more document than asked: if it exists there is a next page, and the cursor is the last
   * document shown. Malformed documents are skipped but still advance the cursor past them.
   */
  private static <T> LogPage<T> page(
      MongoCollection<Document> collection,
      String timeField,
      Bson filter,
      LogCursor before,
      int limit,
      Function<Document, T> convert) {
    List<Bson> conditions = new ArrayList<>(2);
    if (filter != null) {
      conditions.add(filter);
    }
    if (before != null) {
      Date at = new Date(before.at());
      conditions.add(
          Filters.or(
              Filters.lt(timeField, at),
              Filters.and(Filters.eq(timeField, at), Filters.lt("_id", before.id()))));
    }
    Bson query = conditions.isEmpty() ? new Document() : Filters.and(conditions);
    List<T> items = new ArrayList<>(limit);
    LogCursor last = null;
    boolean more = false;
    int seen = 0;
    for (Document doc : collection.find(query).sort(Sorts.descending(timeField, "_id")).limit(limit + 1)) {
      if (seen++ == limit) {
        more = true;
        break;
      }
      Long at = millis(doc.get(timeField));
      Object id = doc.get("_id");
      if (at != null && id != null) {
        last = new LogCursor(at, id.toString());
      }
      T item = convert.apply(doc);
      if (item != null) {
        items.add(item);
      }
    }
    return new LogPage<>(items, more ? last : null);
  }

  /** {@code null} for a document missing a required field: one bad document must not hide the log. */
  static VoteEvent toVote(Document doc) {
    Object id = doc.get("_id");
    String name = doc.getString("name");
    String album = doc.getString("album");
    String channel = doc.getString("channel");
    Long receivedAt = millis(doc.get(RECEIVED_AT));
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
        stringOrNull(doc.get("voterId")),
        channel,
        receivedAt);
  }

  /** {@code null} for a document without id, reason or time. */
  static RejectedEntry toRejected(Document doc) {
    Object id = doc.get("_id");
    Object reason = doc.get("reason");
    Long rejectedAt = millis(doc.get(REJECTED_AT));
    if (id == null || reason == null || rejectedAt == null) {
      log.warn("skipping malformed rejected document {}", id);
      return null;
    }
    return new RejectedEntry(
        id.toString(),
        stringOrNull(doc.get("voteId")),
        reason.toString(),
        stringOrNull(doc.get("detail")),
        stringOrNull(doc.get("raw")),
        rejectedAt);
  }

  private static String stringOrNull(Object value) {
    return value == null ? null : value.toString();
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
