package gt.quetzal.contract;

/** Where the vote log lives in MongoDB. Documents use {@code _id = voteId}, so writes are idempotent. */
public final class MongoNames {

  public static final String DATABASE = "quetzal";
  public static final String VOTES = "votes";
  public static final String REJECTED = "rejected";
  /** The topics the vote log mirrors: {@code _id} = topic, {@code topicId} = its Kafka id (the sinks refuse a recreated topic). */
  public static final String SINK_TOPICS = "sink_topics";

  private MongoNames() {}
}
