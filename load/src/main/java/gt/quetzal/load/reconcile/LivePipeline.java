package gt.quetzal.load.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoClientSettings;
import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.kit.Redact;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Stats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;
import redis.clients.jedis.RedisClient;

/** The real pipeline: the streams app over HTTP, Redis through Jedis, MongoDB through the sync driver. */
public final class LivePipeline implements Pipeline, AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final URI statsUri;
  private final HttpClient http;
  private final RedisClient redis;
  private final MongoClient mongo;
  private final MongoDatabase database;
  /** Where the stores are, for messages: never with their passwords. */
  private final String redisShown;
  private final String mongoShown;

  private LivePipeline(URI streamsUrl, URI redisUrl, String mongoUri) {
    this.statsUri = streamsUrl.resolve("/api/stats");
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    this.redis = RedisClient.create(redisUrl);
    this.redisShown = Redact.uri(redisUrl.toString());
    this.mongoShown = Redact.uri(mongoUri);
    this.mongo =
        MongoClients.create(
            MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(mongoUri))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout((int) TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .build());
    this.database = mongo.getDatabase(MongoNames.DATABASE);
  }

  public static LivePipeline connect(URI streamsUrl, URI redisUrl, String mongoUri) {
    return new LivePipeline(streamsUrl, redisUrl, mongoUri);
  }

  @Override
  public PipelineState state() {
    return new PipelineState(streamsStats(), redisStats(), redisBands(), count(MongoNames.VOTES), count(MongoNames.REJECTED));
  }

  /** {@code {"accepted","duplicates","rejected","rejectedByReason":{reason: n}}} flattened to Stats keys. */
  public Map<String, Long> streamsStats() {
    HttpResponse<String> response;
    try {
      response =
          http.send(HttpRequest.newBuilder(statsUri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PipelineException("the streams app at " + statsUri + " is unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipelineException("interrupted while asking " + statsUri, e);
    }
    if (response.statusCode() != 200) {
      throw new PipelineException(
          "the streams app at " + statsUri + " answered " + response.statusCode() + ": " + abbreviate(response.body()));
    }
    return flattenStats(response.body());
  }

  static Map<String, Long> flattenStats(String body) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new PipelineException("the streams app's /api/stats is not JSON: " + abbreviate(body), e);
    }
    Map<String, Long> stats = new HashMap<>();
    stats.put(Stats.ACCEPTED, root.path("accepted").asLong());
    stats.put(Stats.DUPLICATES, root.path("duplicates").asLong());
    stats.put(Stats.REJECTED, root.path("rejected").asLong());
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("rejectedByReason").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> reason = it.next();
      stats.put(Stats.rejected(reason.getKey()), reason.getValue().asLong());
    }
    return stats;
  }

  private Map<String, Long> redisStats() {
    Map<String, Long> stats = longs(RedisKeys.STATS);
    stats.remove(RedisKeys.STAT_UPDATED_AT); // a timestamp, not a counter
    return stats;
  }

  private Map<String, Long> redisBands() {
    return longs(RedisKeys.BAND_TOTALS);
  }

  private Map<String, Long> longs(String key) {
    Map<String, String> hash;
    try {
      hash = redis.hgetAll(key);
    } catch (RuntimeException e) {
      throw new PipelineException("Redis at " + redisShown + " did not answer HGETALL " + key + ": " + e.getMessage(), e);
    }
    Map<String, Long> values = new HashMap<>();
    hash.forEach(
        (field, value) -> {
          try {
            values.put(field, Long.parseLong(value));
          } catch (NumberFormatException e) {
            throw new PipelineException("Redis " + key + " field " + field + " is not a number: " + value);
          }
        });
    return values;
  }

  private long count(String collection) {
    try {
      // From the collection's metadata: no scan, whatever the size of the log.
      return database.getCollection(collection).estimatedDocumentCount();
    } catch (RuntimeException e) {
      throw new PipelineException("MongoDB at " + mongoShown + " did not count " + collection + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Set<String> storedVoteIds(Collection<String> runIds) {
    Set<String> ids = new HashSet<>();
    for (String runId : runIds) {
      database
          .getCollection(MongoNames.VOTES)
          .find(prefix("_id", runId))
          .projection(Projections.include("_id"))
          .forEach(doc -> ids.add(String.valueOf(doc.get("_id"))));
    }
    return ids;
  }

  @Override
  public Map<String, Long> rejectedVoteIds(Collection<String> runIds) {
    Map<String, Long> ids = new HashMap<>();
    for (String runId : runIds) {
      database
          .getCollection(MongoNames.REJECTED)
          .find(prefix("voteId", runId))
          .projection(Projections.fields(Projections.include("voteId"), Projections.excludeId()))
          .forEach((Document doc) -> ids.merge(doc.getString("voteId"), 1L, Long::sum));
    }
    return ids;
  }

  /**
   * An anchored prefix regex of plain escaped characters (no quoting with Q and E), which a real MongoDB
   * answers from the field's index (_id's always exists).
   */
  static Bson prefix(String field, String runId) {
    return Filters.regex(field, prefixPattern(runId));
  }

  static String prefixPattern(String runId) {
    StringBuilder pattern = new StringBuilder("^");
    for (char c : (runId + ".").toCharArray()) {
      if (!Character.isLetterOrDigit(c)) {
        pattern.append('\\');
      }
      pattern.append(c);
    }
    return pattern.toString();
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
  }

  @Override
  public void close() {
    redis.close();
    mongo.close();
  }
}
