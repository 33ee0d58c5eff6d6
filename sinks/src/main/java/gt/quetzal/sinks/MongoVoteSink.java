package gt.quetzal.sinks;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.WriteConcern;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.Document;

/**
 * Appends {@link Topics#VOTES_ACCEPTED} to {@code quetzal.votes} with {@code _id = voteId}.
 *
 * <p>Inserts are unordered bulk writes; a duplicate key (11000) means "already stored" — a replay or a
 * retried batch — and counts as success, so the log holds each vote exactly once however often it is
 * replayed. Any other error fails the whole batch, which the loop retries.
 */
public final class MongoVoteSink implements StoreWriter<String, VoteEvent> {

  static final int DUPLICATE_KEY = 11000;

  private final MongoDatabase database;
  private final MongoCollection<Document> votes;
  private final Counter duplicates;

  public MongoVoteSink(MongoDatabase database, WriteConcern writeConcern, MeterRegistry registry) {
    this.database = Objects.requireNonNull(database, "database");
    this.votes = database.getCollection(MongoNames.VOTES).withWriteConcern(writeConcern);
    this.duplicates =
        Counter.builder("quetzal.sink.duplicates")
            .description("Votes already present in MongoDB (replays and retried batches)")
            .tag("store", store())
            .register(registry);
  }

  @Override
  public String store() {
    return "mongo";
  }

  /** Indexes for the web app's queries: newest first, and one band newest first. Idempotent. */
  @Override
  public void prepare() {
    votes.createIndexes(
        List.of(
            new IndexModel(Indexes.descending("receivedAt"), new IndexOptions().name("receivedAt_desc")),
            new IndexModel(
                Indexes.compoundIndex(Indexes.ascending("name"), Indexes.descending("receivedAt")),
                new IndexOptions().name("name_receivedAt_desc"))));
  }

  /** The stored shape of a vote: its fields, {@code _id = voteId}, and {@code receivedAt} as a BSON date. */
  static Document toDocument(VoteEvent vote) {
    Document doc =
        new Document("_id", vote.voteId())
            .append("name", vote.name())
            .append("album", vote.album())
            .append("year", vote.year())
            .append("rank", vote.rank());
    if (vote.voterId() != null) {
      doc.append("voterId", vote.voterId());
    }
    return doc.append("channel", vote.channel()).append("receivedAt", new Date(vote.receivedAt()));
  }

  @Override
  public void write(List<ConsumerRecord<String, VoteEvent>> batch) {
    List<Document> docs = new ArrayList<>(batch.size());
    for (ConsumerRecord<String, VoteEvent> record : batch) {
      if (record.value() != null) { // tombstones carry no vote
        docs.add(toDocument(record.value()));
      }
    }
    if (docs.isEmpty()) {
      return;
    }
    try {
      votes.insertMany(docs, new InsertManyOptions().ordered(false));
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
