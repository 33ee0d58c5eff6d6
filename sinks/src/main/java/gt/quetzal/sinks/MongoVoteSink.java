package gt.quetzal.sinks;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.WriteConcern;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RejectedVote;
import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.BsonBinaryWriter;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.io.BasicOutputBuffer;

/**
 * Appends the vote log to MongoDB:
 *
 * <ul>
 *   <li>{@link Topics#VOTES_ACCEPTED} → {@code quetzal.votes} with {@code _id = voteId};
 *   <li>{@link Topics#VOTES_REJECTED} → {@code quetzal.rejected} with {@code _id = "<partition>-<offset>"}:
 *       a rejected record may have no voteId (it was unreadable), and two rejections may share one (a
 *       retried bad vote), but its position in the topic is unique and the same on every replay.
 * </ul>
 *
 * <p>Inserts are unordered bulk writes; a duplicate key (11000) means "already stored" — a replay or a
 * retried batch — and counts as success, so the log holds each record exactly once however often it is
 * replayed. Any other error fails the whole batch, which the loop retries.
 */
public final class MongoVoteSink implements StoreWriter<byte[], byte[]> {

  static final int DUPLICATE_KEY = 11000;

  /** Every topic this sink stores; one consumer reads them all. */
  public static final List<Topic<?, ?>> TOPICS = List.of(Topics.VOTES_ACCEPTED, Topics.VOTES_REJECTED);

  private final MongoDatabase database;
  private final MongoCollection<RawBsonDocument> votes;
  private final MongoCollection<Document> rejected;
  private final RecordDecoder decoder;
  private final Counter voteDuplicates;
  private final Counter rejectedDuplicates;

  public MongoVoteSink(MongoDatabase database, WriteConcern writeConcern, MeterRegistry registry) {
    this.database = Objects.requireNonNull(database, "database");
    this.votes = database.getCollection(MongoNames.VOTES, RawBsonDocument.class).withWriteConcern(writeConcern);
    this.rejected = database.getCollection(MongoNames.REJECTED).withWriteConcern(writeConcern);
    this.decoder = new RecordDecoder(store(), registry);
    this.voteDuplicates = duplicatesCounter(registry, MongoNames.VOTES);
    this.rejectedDuplicates = duplicatesCounter(registry, MongoNames.REJECTED);
  }

  private Counter duplicatesCounter(MeterRegistry registry, String collection) {
    return Counter.builder("quetzal.sink.duplicates")
        .description("Documents already present in MongoDB (replays and retried batches)")
        .tag("store", store())
        .tag("collection", collection)
        .register(registry);
  }

  public static List<String> topicNames() {
    return TOPICS.stream().map(Topic::name).toList();
  }

  @Override
  public String store() {
    return "mongo";
  }

  /**
   * Indexes for the web app's queries: newest first, and newest first within one band (votes) or one
   * reason (rejections). Idempotent. The mongo-java-server stand-in accepts non-unique indexes but
   * ignores them (it scans); a real MongoDB needs them, or every page of the vote log is a full scan.
   */
  @Override
  public void prepare() {
    newestFirst(votes, "receivedAt", "name");
    newestFirst(rejected, "rejectedAt", "reason");
  }

  /** Newest first, and newest first within one {@code group}; named {@code <time>_desc}, {@code <group>_<time>_desc}. */
  private static void newestFirst(MongoCollection<?> collection, String time, String group) {
    // _id is the tie-breaker of the web app's keyset paging (timestamp, _id), so it ends every index.
    collection.createIndexes(
        List.of(
            new IndexModel(Indexes.descending(time, "_id"), new IndexOptions().name(time + "_desc")),
            new IndexModel(
                Indexes.compoundIndex(Indexes.ascending(group), Indexes.descending(time, "_id")),
                new IndexOptions().name(group + "_" + time + "_desc"))));
  }

  /** The topic ids this database mirrors ({@link TopicIds}), one document per topic. */
  Map<String, String> recordedTopicIds() {
    Map<String, String> ids = new TreeMap<>();
    for (Document doc : database.getCollection(MongoNames.SINK_TOPICS).find()) {
      ids.put(doc.getString("_id"), doc.getString("topicId"));
    }
    return ids;
  }

  void recordTopicIds(Map<String, String> ids) {
    MongoCollection<Document> topics = database.getCollection(MongoNames.SINK_TOPICS).withWriteConcern(votes.getWriteConcern());
    ids.forEach((topic, id) -> topics.updateOne(
        Filters.eq("_id", topic), Updates.setOnInsert("topicId", id), new UpdateOptions().upsert(true)));
  }

  /**
   * The stored shape of a vote: its fields, {@code _id = voteId}, and {@code receivedAt} as a BSON date;
   * {@code voterId} only when present. Written straight to BSON: a {@code Document} would cost a codec
   * lookup per field on the sink's busiest path.
   */
  static RawBsonDocument toBson(VoteEvent vote) {
    BasicOutputBuffer out = new BasicOutputBuffer(192);
    BsonBinaryWriter writer = new BsonBinaryWriter(out);
    writer.writeStartDocument();
    string(writer, "_id", vote.voteId());
    string(writer, "name", vote.name());
    string(writer, "album", vote.album());
    writer.writeInt32("year", vote.year());
    writer.writeInt32("rank", vote.rank());
    if (vote.voterId() != null) {
      writer.writeString("voterId", vote.voterId());
    }
    string(writer, "channel", vote.channel());
    writer.writeDateTime("receivedAt", vote.receivedAt());
    writer.writeEndDocument();
    writer.flush();
    return new RawBsonDocument(out.toByteArray());
  }

  /** A string field, or BSON null as a {@code Document} would store a null. */
  private static void string(BsonBinaryWriter writer, String name, String value) {
    if (value == null) {
      writer.writeNull(name);
    } else {
      writer.writeString(name, value);
    }
  }

  /** The id of a rejection: where it sits in {@code votes.rejected}, which never changes. */
  static String rejectedId(int partition, long offset) {
    return partition + "-" + offset;
  }

  /** The stored shape of a rejection: reason, detail, raw input, {@code rejectedAt} as a BSON date. */
  static Document toDocument(int partition, long offset, RejectedVote rejection) {
    Document doc = new Document("_id", rejectedId(partition, offset));
    if (rejection.voteId() != null) {
      doc.append("voteId", rejection.voteId());
    }
    appendIfPresent(doc, "reason", rejection.reason());
    appendIfPresent(doc, "detail", rejection.detail());
    appendIfPresent(doc, "raw", rejection.raw());
    return doc.append("rejectedAt", new Date(rejection.rejectedAt()));
  }

  private static void appendIfPresent(Document doc, String name, String value) {
    if (value != null) {
      doc.append(name, value);
    }
  }

  @Override
  public void write(List<ConsumerRecord<byte[], byte[]>> batch) {
    List<RawBsonDocument> voteDocs = new ArrayList<>();
    List<Document> rejectedDocs = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> raw : batch) {
      if (raw.value() == null) {
        continue; // tombstones carry nothing to log
      }
      if (raw.topic().equals(Topics.VOTES_ACCEPTED.name())) {
        decoder.decode(Topics.VOTES_ACCEPTED, raw).ifPresent(r -> voteDocs.add(toBson(r.value())));
      } else if (raw.topic().equals(Topics.VOTES_REJECTED.name())) {
        decoder
            .decode(Topics.VOTES_REJECTED, raw)
            .ifPresent(r -> rejectedDocs.add(toDocument(r.partition(), r.offset(), r.value())));
      } else {
        decoder.skip(raw, "not a vote log topic");
      }
    }
    insertAll(votes, voteDocs, voteDuplicates);
    insertAll(rejected, rejectedDocs, rejectedDuplicates);
  }

  private static <T> void insertAll(MongoCollection<T> collection, List<T> docs, Counter duplicates) {
    if (docs.isEmpty()) {
      return;
    }
    try {
      collection.insertMany(docs, new InsertManyOptions().ordered(false));
    } catch (MongoBulkWriteException e) {
      if (e.getWriteConcernError() != null || !onlyDuplicates(e.getWriteErrors())) {
        throw e;
      }
      duplicates.increment(e.getWriteErrors().size());
    }
  }

  static boolean onlyDuplicates(List<BulkWriteError> errors) {
    return errors.stream().allMatch(error -> error.getCode() == DUPLICATE_KEY);
  }

  @Override
  public void ping() {
    database.runCommand(new Document("ping", 1));
  }
}
