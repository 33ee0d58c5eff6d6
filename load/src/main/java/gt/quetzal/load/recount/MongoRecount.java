package gt.quetzal.load.recount;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Projections;
import gt.quetzal.contract.MongoNames;
import java.util.Date;
import org.bson.Document;

/**
 * Recounts from MongoDB's copy of the vote log: {@code quetzal.votes} for every accepted-vote
 * aggregate (a vote's minute is its {@code receivedAt}, the timestamp ingest gave its Kafka record),
 * {@code quetzal.rejected} for the rejections. MongoDB holds no record of duplicates, so that stat is
 * not recounted here.
 */
public final class MongoRecount {

  private final MongoDatabase database;

  public MongoRecount(MongoDatabase database) {
    this.database = database;
  }

  public Aggregates recount() {
    Aggregates.Builder builder = new Aggregates.Builder();
    for (Document vote :
        database.getCollection(MongoNames.VOTES)
            .find()
            .projection(Projections.include("name", "album", "rank", "receivedAt"))) {
      Date receivedAt = vote.getDate("receivedAt");
      builder.accepted(vote.getString("name"), vote.getString("album"), vote.getInteger("rank"), receivedAt.getTime());
    }
    for (Document rejection :
        database.getCollection(MongoNames.REJECTED).find().projection(Projections.include("reason"))) {
      builder.rejected(rejection.getString("reason"));
    }
    return builder.build();
  }
}
