package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Stats;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.ingest.http.IngestHttpMain;
import gt.quetzal.sinks.SinksConfig;
import gt.quetzal.sinks.SinksMain;
import gt.quetzal.streams.runtime.StreamsAppConfig;
import gt.quetzal.streams.runtime.StreamsMain;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * Issue 15, item 6: the seed students' own client, verbatim. {@code load/locust/seed-style/locustfile.py}
 * (a plain HttpUser that pops rows of its {@code traffic.json}, posts each with {@code
 * self.client.post("", json=row)} to {@code --host http://127.0.0.1:PORT/votes} and calls {@code
 * res.json()} on every answer) runs under Debian's Locust against the whole pipeline in process, as an
 * open contest (no catalog). Every answer must be a 2xx with a JSON body (Locust counts anything else as
 * a failure or an exception), Locust must report neither, it must have sent each row once, and Redis
 * must count exactly the file, band by band. The last test points the same client at a wrong path, to
 * show these checks do fail on a broken run.
 */
class SeedLocustfileIT {

  private static final Path LOCUST = Path.of("/usr/bin/locust");
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path SEED_DIR = REPO.resolve("load/locust/seed-style");
  private static final long LOCUST_TIMEOUT_SECONDS = 90;

  @TempDir static Path work;

  private static Devstack stack;
  private static final List<AutoCloseable> services = new ArrayList<>();
  private static RedisClient redis;
  private static int httpPort;

  @BeforeAll
  static void startPipeline() throws InterruptedException {
    assertThat(Files.isExecutable(LOCUST))
        .as("%s is missing: install Debian's python3-locust (.ci/run does)", LOCUST)
        .isTrue();
    stack = Devstack.startEphemeral();
    Map<String, String> common =
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
            "REDIS_URL", stack.redisUrl(),
            "MONGO_URI", stack.mongoUri());
    // No CATALOG_FILE: an open contest, where any well-formed band and album counts.
    StreamsMain.Running streams =
        StreamsMain.start(StreamsAppConfig.fromEnv(with(common, "HTTP_PORT", "0", "STATE_DIR", work.resolve("streams").toString())));
    services.add(streams);
    services.add(SinksMain.start(SinksConfig.fromEnv(with(common, "HTTP_PORT", "0"))));
    IngestHttpMain.Running http = IngestHttpMain.start(IngestHttpConfig.fromEnv(with(common, "HTTP_PORT", "0")));
    services.add(http);
    http.awaitContest(Duration.ofSeconds(60));
    httpPort = http.httpPort();
    redis = RedisClient.create(URI.create(stack.redisUrl()));
    await().atMost(Duration.ofSeconds(90)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
  }

  @AfterAll
  static void stopPipeline() throws Exception {
    if (redis != null) {
      redis.close();
    }
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void theSeedStyleLocustfileIsAnsweredWithJsonAndCountedExactly() throws Exception {
    JsonNode rows = Json.MAPPER.readTree(SEED_DIR.resolve("traffic.json").toFile());
    assertThat(bands(rows).keySet()).as("the committed traffic file").containsExactly("Band A", "Band B");

    runAndExpectEveryRowCounted(SEED_DIR, rows, "seed");
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void yearAndRankAsJsonNumbersAreCountedToo() throws Exception {
    // Another student's file: the same rows, year and rank written as numbers. The locustfile is copied
    // unchanged next to it, since it reads the traffic.json beside it.
    ArrayNode rows = (ArrayNode) Json.MAPPER.readTree(SEED_DIR.resolve("traffic.json").toFile());
    for (JsonNode row : rows) {
      ((ObjectNode) row).put("year", Integer.parseInt(row.get("year").asText()));
      ((ObjectNode) row).put("rank", Integer.parseInt(row.get("rank").asText()));
    }
    Path dir = Files.createDirectories(work.resolve("numbers-client"));
    Files.copy(SEED_DIR.resolve("locustfile.py"), dir.resolve("locustfile.py"));
    Files.write(dir.resolve("traffic.json"), Json.MAPPER.writeValueAsBytes(rows));
    assertThat(Files.readString(dir.resolve("traffic.json"))).contains("\"year\":").doesNotContain("\"year\":\"");

    runAndExpectEveryRowCounted(dir, rows, "numbers");
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aWrongPathMakesLocustReportFailures() throws Exception {
    int rows = Json.MAPPER.readTree(SEED_DIR.resolve("traffic.json").toFile()).size();

    LocustRun run = locust(SEED_DIR, "http://127.0.0.1:" + httpPort + "/vote", "10s", "wrong-path");

    // 404 problem+json: JSON, so res.json() does not raise, but Locust counts every 404 as a failure.
    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    assertThat(run.csv().clean()).isFalse();
    assertThat(run.csv().failedRequests()).isEqualTo(rows);
    assertThat(run.csv().failures()).singleElement().asString().startsWith(rows + " x ").contains("404");
    assertThat(run.csv().exceptions()).isZero();
  }

  private void runAndExpectEveryRowCounted(Path clientDir, JsonNode rows, String name) throws Exception {
    Map<String, String> bandsBefore = redis.hgetAll(RedisKeys.BAND_TOTALS);
    Map<String, String> statsBefore = redis.hgetAll(RedisKeys.STATS);

    LocustRun run = locust(clientDir, "http://127.0.0.1:" + httpPort + "/votes", "20s", name);

    LocustCsv csv = run.csv();
    assertThat(csv.failures()).as("failures%n%s", run.output()).isEmpty();
    assertThat(csv.exceptionMessages()).as("exceptions (e.g. res.json() on a body that is not JSON)%n%s", run.output()).isEmpty();
    assertThat(csv.failedRequests()).as(run.output()).isZero();
    assertThat(csv.requests()).as("one request per row; fewer means -t ran out first%n%s", run.output()).isEqualTo(rows.size());
    assertThat(run.exitCode()).as(run.output()).isZero();

    // Absolute totals: what was there before plus each band's rows of the file, and no other band.
    Map<String, String> expectedBands = new TreeMap<>(bandsBefore);
    bands(rows).forEach((band, count) -> expectedBands.merge(band, Long.toString(count), (a, b) -> Long.toString(Long.parseLong(a) + Long.parseLong(b))));
    long acceptedBefore = Long.parseLong(statsBefore.getOrDefault(Stats.ACCEPTED, "0"));
    long rejectedBefore = Long.parseLong(statsBefore.getOrDefault(Stats.REJECTED, "0"));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              assertThat(new TreeMap<>(redis.hgetAll(RedisKeys.BAND_TOTALS))).isEqualTo(expectedBands);
              Map<String, String> stats = redis.hgetAll(RedisKeys.STATS);
              assertThat(Long.parseLong(stats.getOrDefault(Stats.ACCEPTED, "0"))).isEqualTo(acceptedBefore + rows.size());
              assertThat(Long.parseLong(stats.getOrDefault(Stats.REJECTED, "0"))).isEqualTo(rejectedBefore);
            });
  }

  /** Rows per band name, as the file spells it. */
  private static Map<String, Long> bands(JsonNode rows) {
    Map<String, Long> counts = new TreeMap<>();
    rows.forEach(row -> counts.merge(row.get("name").asText(), 1L, Long::sum));
    return counts;
  }

  private record LocustRun(int exitCode, String output, LocustCsv csv) {}

  /** Locust headless with the documented command's options, bounded by -t and by a wait on the process. */
  private static LocustRun locust(Path clientDir, String host, String runTime, String name) throws Exception {
    Path dir = Files.createDirectories(work.resolve("run-" + name));
    Path log = dir.resolve("locust.log");
    Process locust =
        new ProcessBuilder(
                LOCUST.toString(), "-f", clientDir.resolve("locustfile.py").toString(), "--headless", "--only-summary",
                "-u", "10", "-r", "10", "-t", runTime, "--host", host, "--csv", dir.resolve("locust").toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = locust.waitFor(LOCUST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!finished) {
      locust.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("Locust did not finish within %d s:%n%s", LOCUST_TIMEOUT_SECONDS, output).isTrue();
    return new LocustRun(locust.exitValue(), output, LocustCsv.read(dir.resolve("locust")));
  }

  private static Map<String, String> with(Map<String, String> base, String... pairs) {
    Map<String, String> env = new HashMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }
}
