package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.streams.contest.ContestMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * A contest run as an organiser runs it: a catalog applied with the contest tool (the same {@code
 * ContestMain} that {@code ./quetzal contest apply} runs), unknown bands refused at the door, and a
 * band added while votes flow, counted from then on and listed at 0 before its first vote.
 */
class ContestIT {

  @TempDir static Path dir;
  private static Devstack devstack;
  private static InProcessStack stack;
  private static RedisClient redis; // the stack's
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startEverything() throws Exception {
    devstack = Devstack.startEphemeral();
    assertThat(tool("apply", catalog("two.json", "Band A", "Band B").toString())).isZero();
    stack = InProcessStack.builder().streams().sinks().ingestHttp().startOn(devstack);
    redis = stack.redis();
  }

  @AfterAll
  static void stopEverything() {
    if (stack != null) {
      stack.close();
    } else if (devstack != null) {
      devstack.close();
    }
  }

  @Test
  void aBandAddedWhileVotesFlowIsRefusedBeforeAndCountedAfterAndListedAtZeroInBetween() throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(() -> status("/readyz") == 200);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(redis.hgetAll(RedisKeys.BAND_TOTALS)).containsOnly(Map.entry("Band A", "0"), Map.entry("Band B", "0")));

    HttpResponse<String> before = vote("Band C", "Uno");
    assertThat(before.statusCode()).as(before.body()).isEqualTo(400);
    assertThat(before.body()).contains("\"field\":\"name\"").contains("not_in_contest");
    assertThat(vote("band a", "UNO").statusCode()).isEqualTo(202);

    ByteArrayOutputStream said = new ByteArrayOutputStream();
    assertThat(tool(said, "apply", catalog("three.json", "Band A", "Band B", "Band C").toString())).isZero();
    assertThat(said.toString(StandardCharsets.UTF_8)).contains("1 bands added, 0 changed, 0 removed");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(redis.hget(RedisKeys.BAND_TOTALS, "Band C")).isEqualTo("0"));
    // Ingest follows the topic on its own thread: the door opens within moments of the apply.
    await().atMost(Duration.ofSeconds(30)).until(() -> vote("Band C", "uno").statusCode() == 202);
    assertThat(vote("BAND C", "Uno").statusCode()).isEqualTo(202);

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(redis.hgetAll(RedisKeys.BAND_TOTALS))
                    .containsOnly(Map.entry("Band A", "1"), Map.entry("Band B", "0"), Map.entry("Band C", "2")));
    assertThat(redis.hget(RedisKeys.STATS, RedisKeys.STAT_REJECTED)).as("refused at the door, never in Kafka").isEqualTo("0");

    ByteArrayOutputStream shown = new ByteArrayOutputStream();
    assertThat(tool(shown, "show")).isZero();
    Catalog now = gt.quetzal.contract.Json.MAPPER.readValue(shown.toByteArray(), Catalog.class);
    assertThat(now.bands()).extracting(Catalog.Band::name).containsExactly("Band A", "Band B", "Band C");
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    assertThat(tool(kept, "apply", catalog("other.json", "Band Z").toString(), "--if-absent")).isZero();
    assertThat(kept.toString(StandardCharsets.UTF_8)).contains("kept contest \"contest\" with 3 bands");
  }

  // ------------------------------------------------------------------------ helpers

  private static Path catalog(String file, String... bands) throws Exception {
    StringBuilder json = new StringBuilder("{\"contest\":\"contest\",\"bands\":[");
    for (int i = 0; i < bands.length; i++) {
      json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(bands[i]).append("\",\"albums\":[{\"title\":\"Uno\",\"year\":2001}]}");
    }
    return Files.writeString(dir.resolve(file), json.append("]}").toString());
  }

  private static int tool(String... args) {
    return tool(new ByteArrayOutputStream(), args);
  }

  private static int tool(ByteArrayOutputStream out, String... args) {
    PrintStream printed = new PrintStream(out, true, StandardCharsets.UTF_8);
    return ContestMain.run(args, Map.of("KAFKA_BOOTSTRAP_SERVERS", devstack.bootstrapServers()), printed, printed);
  }

  private static HttpResponse<String> vote(String band, String album) throws Exception {
    String body = "{\"name\":\"" + band + "\",\"album\":\"" + album + "\",\"year\":\"2001\",\"rank\":\"40\"}";
    return http.send(
        HttpRequest.newBuilder(stack.ingestUrl().resolve("/votes"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int status(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(stack.ingestUrl().resolve(path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
