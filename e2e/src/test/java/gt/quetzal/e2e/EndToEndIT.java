package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.load.VoteSampler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Every stage started in process, wired only through the devstack's real Kafka broker, real Redis and
 * the MongoDB stand-in (mongo-java-server): what a vote goes through in production, minus the network.
 *
 * <p>The tests share the stack, so each asserts what its own votes changed (per-band deltas, its own
 * voteIds) and passes in any method order; each waits until its votes are counted before it ends.
 */
class EndToEndIT {

  private static final int VOTES = 1_000;

  private static InProcessStack stack;
  private static int ingestPort;
  private static int webPort;
  private static RedisClient redis; // the stack's
  private static MongoClient mongo; // the stack's
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startEverything() {
    // Port 0 everywhere: each service binds a port the system picks, and the test reads it back.
    stack = InProcessStack.builder().streams().sinks().web().ingestHttp().start();
    webPort = stack.web().httpPort();
    ingestPort = stack.ingestHttp().httpPort();
    redis = stack.redis();
    mongo = stack.mongo();
  }

  @AfterAll
  static void stopEverything() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void thousandVotesOverHttpAreCountedExactlyInRedisAndStoredOnceInMongo() throws Exception {
    Map<String, String> totalsBefore = redis.hgetAll(RedisKeys.BAND_TOTALS);
    Catalog catalog = Catalog.load(Path.of("..", "config", "catalog.json"));
    VoteSampler sampler = new VoteSampler(catalog, 1.0, new Random(2026));
    Map<String, Long> expectedPerBand = new HashMap<>();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    Semaphore inFlight = new Semaphore(64);

    for (int i = 0; i < VOTES; i++) {
      Map<String, String> vote = sampler.next();
      expectedPerBand.merge(vote.get("name"), 1L, Long::sum);
      inFlight.acquire();
      responses.add(post(vote).whenComplete((r, e) -> inFlight.release()));
    }

    Set<String> acceptedIds = new HashSet<>();
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      HttpResponse<String> r = response.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      acceptedIds.add(Json.MAPPER.readTree(r.body()).get("voteId").asText());
    }
    assertThat(acceptedIds).hasSize(VOTES);

    // Exactly this test's votes on top of whatever the shared stack already counted.
    Map<String, String> expectedHash = new HashMap<>(totalsBefore);
    expectedPerBand.forEach(
        (band, count) -> expectedHash.put(band, Long.toString(Long.parseLong(totalsBefore.getOrDefault(band, "0")) + count)));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(redis.hgetAll(RedisKeys.BAND_TOTALS)).isEqualTo(expectedHash));

    // Every accepted voteId is stored, once (it is the document's _id).
    MongoCollection<Document> votes = mongo.getDatabase(MongoNames.DATABASE).getCollection(MongoNames.VOTES);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(votes.countDocuments(Filters.in("_id", acceptedIds))).isEqualTo(VOTES));
    Set<String> storedIds = new HashSet<>();
    votes.find(Filters.in("_id", acceptedIds)).forEach(doc -> storedIds.add(doc.getString("_id")));
    assertThat(storedIds).isEqualTo(acceptedIds);
  }

  @Test
  void oneVoteShowsUpOnTheWebApiWithItsAccentsIntact() throws Exception {
    String band = "Malacates Trébol Shop";
    long before = bandTotalOnWeb(band);

    HttpResponse<String> response =
        post(Map.of("name", band, "album", "Resaca", "year", "2002", "rank", "87")).join();
    assertThat(response.statusCode()).isEqualTo(202);

    await().atMost(Duration.ofSeconds(30)).until(() -> bandTotalOnWeb(band) == before + 1);
  }

  private static long bandTotalOnWeb(String band) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + webPort + "/api/standings")).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return -1;
    }
    for (var node : Json.MAPPER.readTree(response.body()).get("bands")) {
      if (node.get("name").asText().equals(band)) {
        return node.get("total").asLong();
      }
    }
    return 0;
  }

  private static CompletableFuture<HttpResponse<String>> post(Map<String, String> vote) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://localhost:" + ingestPort + "/votes"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(vote)))
              .build();
      return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

}
