package gt.quetzal.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchPartsTest {

  private static RawHttpConnection over(String responses, ByteArrayOutputStream sent) {
    return new RawHttpConnection(new ByteArrayInputStream(responses.getBytes(StandardCharsets.UTF_8)), sent);
  }

  @Test
  void rawClientReadsContentLengthAndChunkedResponsesBackToBack() throws Exception {
    String responses =
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"voteId\":\"a\"}"
            + "HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\n\r\n";
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    RawHttpConnection connection = over(responses, sent);
    byte[] request = RawHttpConnection.postJson("localhost", 8080, "/votes", "{}".getBytes(StandardCharsets.UTF_8));

    assertThat(connection.exchange(request)).isEqualTo(202);
    assertThat(connection.body()).isEqualTo("{\"voteId\":\"a\"}");
    assertThat(connection.exchange(request)).isEqualTo(503);
    assertThat(connection.body()).isEqualTo("hello, world");
    assertThat(connection.exchange(request)).isEqualTo(204);
    assertThat(connection.body()).isEmpty();
    assertThat(sent.toString(StandardCharsets.US_ASCII))
        .startsWith("POST /votes HTTP/1.1\r\nHost: localhost:8080\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  }

  @Test
  void rawClientReportsAConnectionClosedMidResponse() {
    RawHttpConnection connection = over("HTTP/1.1 202 Accepted\r\nContent-Length: 50\r\n\r\n{\"short", new ByteArrayOutputStream());
    assertThatThrownBy(connection::readResponse).isInstanceOf(EOFException.class);
  }

  @Test
  void producerPerformanceSummaryIsParsed() {
    ProducerBaseline.Summary summary =
        ProducerBaseline.parse(
            "4000000 records sent, 351234.567 records/sec (33.50 MB/sec), 40.12 ms avg latency, 310.00 ms max latency,"
                + " 35 ms 50th, 90 ms 95th, 120 ms 99th, 150 ms 99.9th.");
    assertThat(summary.recordsPerSec()).isEqualTo(351234.567);
    assertThat(summary.p50Ms()).isEqualTo(35);
    assertThat(summary.p99Ms()).isEqualTo(120);
    assertThatThrownBy(() -> ProducerBaseline.parse("100 records sent, 10.0 records/sec")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void percentilesAreNearestRank() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(Latencies.percentile(sorted, 0.50)).isEqualTo(5);
    assertThat(Latencies.percentile(sorted, 0.99)).isEqualTo(10);
    assertThat(Latencies.percentile(new long[0], 0.5)).isNaN();
  }

  @Test
  void samplesFromManyThreadsAreMergedSorted() throws Exception {
    Latencies latencies = new Latencies();
    Thread a = new Thread(() -> { for (int i = 0; i < 100_000; i += 2) latencies.record(i); });
    Thread b = new Thread(() -> { for (int i = 1; i < 100_000; i += 2) latencies.record(i); });
    a.start();
    b.start();
    a.join();
    b.join();
    long[] sorted = latencies.sorted();
    assertThat(sorted).hasSize(100_000);
    assertThat(sorted[0]).isZero();
    assertThat(sorted[99_999]).isEqualTo(99_999);
    assertThat(Latencies.percentile(sorted, 0.5)).isEqualTo(49_999);
  }

  @Test
  void onlyCompletionsInsideTheWindowCount() {
    Window window = new Window();
    window.completed(System.nanoTime(), true); // warm-up: ignored
    window.startMeasuring();
    window.completed(System.nanoTime() - 1_000_000, true);
    window.completed(System.nanoTime(), false);
    window.stopMeasuring();
    window.completed(System.nanoTime(), true); // after: ignored
    assertThat(window.ok.sum()).isEqualTo(1);
    assertThat(window.failed.sum()).isEqualTo(1);
    assertThat(window.running()).isFalse();
    long[] latencies = window.latencies.sorted();
    assertThat(latencies).hasSize(1);
    assertThat(latencies[0]).isGreaterThanOrEqualTo(1_000_000);
    assertThat(window.threadReport()).isNotBlank();
  }

  @Test
  void aBatchCountsOnlyWhenEveryVoteWasAccepted() {
    assertThat(HttpDriver.allAccepted("{\"accepted\":[{\"index\":0,\"voteId\":\"a\"}],\"rejected\":[],\"unavailable\":[]}")).isTrue();
    assertThat(HttpDriver.allAccepted("{\"accepted\":[],\"rejected\":[],\"unavailable\":[{\"index\":0,\"voteId\":\"a\"}]}")).isFalse();
  }

  @Test
  void configDefaultsAndValidation() {
    IngestBenchConfig defaults = IngestBenchConfig.fromEnv(Map.of());
    assertThat(defaults.routes()).containsExactlyElementsOf(IngestBenchConfig.ALL_ROUTES);
    assertThat(defaults.batchSize()).isEqualTo(1_000);
    assertThat(defaults.streamBatch()).isEqualTo(500);
    assertThat(defaults.streamWindow()).isEqualTo(2_000);
    assertThat(defaults.output()).isNull();
    IngestBenchConfig some = IngestBenchConfig.fromEnv(Map.of("BENCH_ROUTES", "grpc-stream, http-batch", "BENCH_SECONDS", "3"));
    assertThat(some.routes()).containsExactly("grpc-stream", "http-batch");
    assertThat(some.runs(IngestBenchConfig.BASELINE)).isFalse();
    assertThat(some.measureSeconds()).isEqualTo(3);
    assertThatThrownBy(() -> IngestBenchConfig.fromEnv(Map.of("BENCH_ROUTES", "carrier-pigeon", "BENCH_GRPC_STREAM_WINDOW", "100")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("carrier-pigeon")
        .hasMessageContaining("BENCH_GRPC_STREAM_WINDOW (100) must be at least BENCH_GRPC_STREAM_BATCH (500)");
    assertThatThrownBy(() -> IngestBenchConfig.fromEnv(Map.of("BENCH_GRPC_STREAM_BATCH", "70000")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("BENCH_GRPC_STREAM_BATCH");
  }

  @Test
  void aStreamMessageNamesItsSlotInEveryVotesSequence() {
    assertThat(GrpcStreamDriver.messagesInFlight(2_000, 500)).isEqualTo(4);
    assertThat(GrpcStreamDriver.messagesInFlight(1_999, 500)).isEqualTo(3); // whole messages only
    assertThat(GrpcStreamDriver.messagesInFlight(10, 500)).isEqualTo(1);
    long first = GrpcStreamDriver.firstSequence(123_456_789L, 4_321);
    for (int index : new int[] {0, 1, 499, GrpcStreamDriver.MAX_BATCH - 1}) {
      assertThat(GrpcStreamDriver.slotOf(first + index)).isEqualTo(4_321);
    }
    // Another message from the same slot, later: different sequences, same slot.
    long next = GrpcStreamDriver.firstSequence(123_456_790L, 4_321);
    assertThat(next).isGreaterThan(first + GrpcStreamDriver.MAX_BATCH);
    assertThat(GrpcStreamDriver.slotOf(next)).isEqualTo(4_321);
  }

  @Test
  void theTableShowsEachRouteAsAShareOfTheBaselineAndWhetherItsTargetIsMet() {
    List<IngestBench.Row> rows =
        List.of(
            new IngestBench.Row(new RouteResult("baseline", 200_000, 10, 40, 0, "b", 5.0, 0.1), null),
            new IngestBench.Row(new RouteResult("grpc-stream", 130_000, 20, 60, 0, "s", 7.5, 0.0), 0.60),
            new IngestBench.Row(new RouteResult("http-single", 20_000, 5, 30, 2, "h", 80.0, 0.25), 0.15));
    String table = IngestBench.table(rows, 200_000.0, 5.0);
    assertThat(table.lines()).hasSize(5);
    assertThat(table.lines().skip(2).findFirst().orElseThrow()).contains("| 200,000 |").contains("| 100% |");
    assertThat(table).contains("| grpc-stream | 130,000 | 20.0 | 60.0 | 65% | ≥ 60% | yes | 67% | 7.5 | 0.00 | 0 | s |");
    assertThat(table).contains("| http-single | 20,000 | 5.0 | 30.0 | 10% | ≥ 15% | no | 6% | 80.0 | 0.25 | 2 | h |");
  }

  @Test
  void withoutABaselineSharesAreNotApplicable() {
    String table =
        IngestBench.table(List.of(new IngestBench.Row(new RouteResult("http-batch", 1_000, 1, 2, 0, "x", 4.0, 0.0), 0.5)), null, null);
    assertThat(table).contains("| http-batch | 1,000 | 1.0 | 2.0 | n/a | ≥ 50% |  |  | 4.0 | 0.00 | 0 | x |");
  }

  @Test
  void theBaselineIsTheMedianRunNotAnAverage() {
    RouteResult slow = new RouteResult("b", 300_000, 1, 2, 0, "x", 6.0, 0.0);
    RouteResult middle = new RouteResult("b", 400_000, 1, 2, 0, "x", 5.0, 0.0);
    RouteResult fast = new RouteResult("b", 520_000, 1, 2, 0, "x", 4.0, 0.0);
    assertThat(IngestBench.medianByRate(List.of(fast, slow, middle))).isSameAs(middle);
    // An even count takes the lower middle run: a measured run, never an interpolated one.
    assertThat(IngestBench.medianByRate(List.of(fast, slow, middle, new RouteResult("b", 450_000, 1, 2, 0, "x", 4.5, 0.0))))
        .isSameAs(middle);
  }

  @Test
  void theBaselineRunsAndTheOneVotePerMessageRouteAreKnobs() {
    IngestBenchConfig defaults = IngestBenchConfig.fromEnv(java.util.Map.of());
    assertThat(defaults.baselineRuns()).isEqualTo(3);
    assertThat(defaults.baselineWarmupRecords()).isEqualTo(1_000_000);
    assertThat(defaults.routes()).containsSubsequence("grpc-stream", "grpc-stream-1");
    assertThatThrownBy(() -> IngestBenchConfig.fromEnv(java.util.Map.of("BENCH_BASELINE_RUNS", "0")))
        .hasMessageContaining("BENCH_BASELINE_RUNS");
  }
}
