package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path SEED_DIR = REPO.resolve("load/locust/seed-style");
  private static final long LOCUST_TIMEOUT_SECONDS = 90;

  @TempDir static Path work;

  private static InProcessStack stack;
  private static RedisClient redis; // the stack's
  private static int httpPort;

  @BeforeAll
  static void startPipeline() {
    assertThat(Files.isExecutable(Locust.BIN))
        .as("%s is missing: install Debian's python3-locust (.ci/run does)", Locust.BIN)
        .isTrue();
    // No contest applied: an open contest, where any well-formed band and album counts.
    stack = InProcessStack.builder().streams().sinks().ingestHttp().start();
    httpPort = stack.ingestHttp().httpPort();
    redis = stack.redis();
  }

  @AfterAll
  static void stopPipeline() {
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
    Locust.Run run = Locust.run(dir, log, LOCUST_TIMEOUT_SECONDS,
        "-f", clientDir.resolve("locustfile.py").toString(), "--headless", "--only-summary",
        "-u", "10", "-r", "10", "-t", runTime, "--host", host, "--csv", dir.resolve("locust").toString());
    return new LocustRun(run.exitCode(), run.output(), LocustCsv.read(dir.resolve("locust")));
  }
}
