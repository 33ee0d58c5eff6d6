package gt.quetzal.bench.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.contract.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchResultsTest {

  @Test
  void writesOneFilePerBenchWithTheRunsProvenanceAndFigures(@TempDir Path dir) throws Exception {
    BenchResults results = new BenchResults("streams", Map.of(
        "QUETZAL_COMMIT", "abc1234-dirty", "BENCH_STREAMS_VOTES", "500000", "BENCH_STREAMS_CLASSPATH", "/long/path.jar",
        "BENCH_RESULTS_DIR", dir.toString(), "HOME", "/root"));
    ObjectNode r = results.add("streams", "quetzal");
    BenchResults.putNumber(r, "cpuUsPerVote", 39.512345678);
    BenchResults.putNumber(r, "redisClientCallsPerVote", 0.000175123);
    BenchResults.putNumber(r, "votesPerSec", Double.NaN);
    Path file = results.write(dir, new PrintStream(new ByteArrayOutputStream()));

    assertThat(file).isEqualTo(dir.resolve("streams.json"));
    JsonNode json = Json.MAPPER.readTree(Files.readString(file));
    assertThat(json.path("format").asInt()).isEqualTo(BenchResults.FORMAT);
    assertThat(json.path("commit").asText()).isEqualTo("abc1234-dirty");
    assertThat(json.path("date").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(json.path("machine").path("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
    // The knobs, but not the classpath, the output dir or anything else of the environment.
    assertThat(json.path("settings").properties()).extracting(Map.Entry::getKey).containsExactly("BENCH_STREAMS_VOTES");
    JsonNode row = json.path("results").get(0);
    assertThat(row.path("stage").asText()).isEqualTo("streams");
    assertThat(row.path("cpuUsPerVote").asDouble()).isEqualTo(39.5123);
    assertThat(row.path("redisClientCallsPerVote").asDouble()).isEqualTo(0.000175123);
    assertThat(row.path("votesPerSec").isNull()).isTrue();
  }

  @Test
  void withoutACommitTheRunSaysSo(@TempDir Path dir) throws Exception {
    Path file = new BenchResults("sinks", Map.of()).write(dir, new PrintStream(new ByteArrayOutputStream()));
    assertThat(Json.MAPPER.readTree(Files.readString(file)).path("commit").asText()).isEqualTo("unknown");
  }
}
