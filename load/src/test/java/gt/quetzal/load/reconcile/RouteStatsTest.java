package gt.quetzal.load.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteStatsTest {

  @Test
  void nearestRankPercentiles() {
    double[] sorted = new double[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1; // 1..100
    }
    assertThat(RouteStats.percentile(sorted, 0.50)).isEqualTo(50);
    assertThat(RouteStats.percentile(sorted, 0.95)).isEqualTo(95);
    assertThat(RouteStats.percentile(sorted, 0.99)).isEqualTo(99);
    assertThat(RouteStats.percentile(new double[] {7}, 0.99)).isEqualTo(7);
    assertThat(RouteStats.percentile(new double[0], 0.5)).isNaN();
  }

  @Test
  void perRouteThroughputLatencyAndFailures() {
    List<Send> sends = new ArrayList<>();
    // http: 10 votes over 1 s (starts 0..900 ms, each 100 ms), one retried once, one failed after 3 tries
    for (int i = 0; i < 10; i++) {
      Send.Outcome outcome = i == 9 ? Send.Outcome.FAILED : i == 8 ? Send.Outcome.REJECTED : Send.Outcome.ACCEPTED;
      int attempts = i == 0 ? 2 : i == 9 ? 3 : 1;
      sends.add(new Send("r.http.0." + i, "http", i, outcome, 202, attempts, 10_000 + i * 100L, 100.0));
    }
    sends.add(new Send("r.grpc.0.0", "grpc", 0, Send.Outcome.ACCEPTED, 0, 1, 20_000, 4.0));
    List<RouteStats> routes =
        RouteStats.of(
            new RunLog(
                sends,
                List.of(),
                List.of(
                    new RunLog.Process(java.util.Set.of("http"), 9.0, 10.0, 0.0026),
                    new RunLog.Process(java.util.Set.of("grpc"), 1.0, 4.0, Double.NaN))));

    assertThat(routes).extracting(RouteStats::route).containsExactly("http", "grpc");
    RouteStats http = routes.get(0);
    assertThat(http.votes()).isEqualTo(10);
    assertThat(http.requests()).isEqualTo(13);
    assertThat(http.accepted()).isEqualTo(8);
    assertThat(http.rejected()).isEqualTo(1);
    assertThat(http.failures()).isEqualTo(4); // the retried attempt and the three failed ones
    assertThat(http.seconds()).isCloseTo(1.0, within(1e-9));
    assertThat(http.requestsPerSecond()).isCloseTo(13.0, within(1e-9));
    assertThat(http.p50()).isEqualTo(100.0);

    String table = RouteStats.table(routes);
    assertThat(table).contains("req/s").contains("p99 ms").contains("failures");
    assertThat(table.lines()).hasSize(3);
    assertThat(http.locustCpu()).isCloseTo(0.9, within(1e-9));
    assertThat(http.locustMicrosPerRequest()).isCloseTo(9.0e6 / 13, within(1e-6));
    assertThat(http.ingestMicrosPerRequest()).isCloseTo(200.0, within(1e-6)); // 2.6 ms over 13 requests
    assertThat(routes.get(1).ingestMicrosPerRequest()).isNaN();
    assertThat(table.lines().toList().get(1))
        .contains("http")
        .contains("13.0")
        .contains("100.00")
        .containsPattern("90%\\s+692,308\\s+200$");
    assertThat(table.lines().toList().get(2)).containsPattern("25%\\s+1,000,000\\s+-$");
  }

  @Test
  void cpuIsOnlyAttributedToARouteThatHadItsProcessesToItself() {
    RunLog.Process both = new RunLog.Process(java.util.Set.of("http", "grpc"), 1.0, 1.0, 1.0);
    RunLog.Process http1 = new RunLog.Process(java.util.Set.of("http"), 3.0, 4.0, 1.0);
    RunLog.Process http2 = new RunLog.Process(java.util.Set.of("http"), 1.0, 4.0, 1.0);
    RunLog shared = new RunLog(List.of(), List.of(), List.of(both));
    RunLog alone = new RunLog(List.of(), List.of(), List.of(http1, http2));

    assertThat(RouteStats.dedicated(shared, "http")).isEmpty();
    assertThat(RouteStats.dedicated(alone, "http")).containsExactly(http1, http2);
    assertThat(RouteStats.dedicated(alone, "grpc")).isEmpty();
    Send one = new Send("r.http.0.a", "http", 0, Send.Outcome.ACCEPTED, 202, 1, 0, 1.0);
    RouteStats stats = RouteStats.of("http", List.of(one), RouteStats.dedicated(alone, "http"));
    assertThat(stats.locustCpu()).isEqualTo(0.5);
    assertThat(RouteStats.of("http", List.of(one), List.of()).locustCpu()).isNaN();
  }
}
