package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Catalog;
import gt.quetzal.ingest.grpc.IngestGrpcMain;
import gt.quetzal.ingest.http.IngestHttpMain;
import gt.quetzal.load.reconcile.LivePipeline;
import gt.quetzal.load.reconcile.PipelineState;
import gt.quetzal.load.reconcile.ReconcileConfig;
import gt.quetzal.load.reconcile.Reconciler;
import gt.quetzal.load.reconcile.Report;
import gt.quetzal.load.reconcile.RouteStats;
import gt.quetzal.load.reconcile.RunLog;
import gt.quetzal.load.reconcile.VoteClassifier;
import gt.quetzal.load.traffic.TrafficFile;
import gt.quetzal.streams.runtime.StreamsMain;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI smoke run of issue 7: the whole pipeline in process on the devstack, Debian's Locust driving
 * both users (HTTP and gRPC) at it for 20 s as a subprocess, then the reconciliation, which must PASS.
 * Nothing is skipped: without /usr/bin/locust the test fails, since .ci/run installs it.
 */
class LocustSmokeIT {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path LOCUSTFILE = REPO.resolve("load/locust/locustfile.py");
  private static final Path TRAFFIC = REPO.resolve("load/traffic.json");
  private static final Path CATALOG = REPO.resolve("config/catalog.json");
  private static final String RUN_TIME = "20s";
  private static final long LOCUST_TIMEOUT_SECONDS = 120;

  @TempDir Path work;

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void bothRoutesUnderLocustReconcileToPass() throws Exception {
    assertThat(Files.isExecutable(Locust.BIN))
        .as("%s is missing: install Debian's python3-locust, python3-grpcio and python3-grpc-tools (.ci/run does)", Locust.BIN)
        .isTrue();

    try (InProcessStack stack = InProcessStack.builder()
        .contest(Catalog.load(CATALOG))
        .streams()
        .sinks()
        .ingestHttp()
        .ingestGrpc()
        .start()) {
      smokeRun(stack);
    }
  }

  private void smokeRun(InProcessStack stack) throws Exception {
    StreamsMain.Running streams = stack.streams();
    IngestHttpMain.Running http = stack.ingestHttp();
    IngestGrpcMain.Running grpc = stack.ingestGrpc();

    try (LivePipeline pipeline =
        LivePipeline.connect(URI.create("http://localhost:" + streams.httpPort()), URI.create(stack.redisUrl()), stack.mongoUri())) {
      Reconciler reconciler =
          new Reconciler(
              pipeline,
              VoteClassifier.of(Catalog.load(CATALOG)),
              new ReconcileConfig.Settle(Duration.ofSeconds(90), Duration.ofSeconds(20), Duration.ofMillis(500)));
      // The stats endpoint answers once the streams app is RUNNING.
      AtomicReference<PipelineState> before = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(
              () -> {
                before.set(reconciler.snapshot());
                return streams.state() == KafkaStreams.State.RUNNING;
              });

      Path runDir = Files.createDirectories(work.resolve("run"));
      Path log = runDir.resolve("locust.log");
      Locust.Run locust = Locust.run(REPO, log, LOCUST_TIMEOUT_SECONDS,
          "-f", LOCUSTFILE.toString(), "--headless", "--only-summary",
          "-u", "8", "-r", "8", "-t", RUN_TIME, "--stop-timeout", "30",
          "--host", "http://localhost:" + http.httpPort(),
          "--grpc-target", "localhost:" + grpc.grpcPort(),
          "--traffic", TRAFFIC.toString(), "--draw", "random", "--rate", "400",
          "--run-id", "qsmoke-" + Long.toString(System.currentTimeMillis(), 36),
          "--outcomes-dir", runDir.toString(), "--csv", runDir.resolve("locust").toString(),
          "HttpVoter", "GrpcVoter");
      String output = locust.output();
      // 0, or 1 when some request failed (a retried 503 counts); anything else is a crash.
      assertThat(locust.exitCode()).as(output).isIn(0, 1);

      Report report = reconciler.reconcile(RunLog.read(runDir), TrafficFile.read(TRAFFIC), before.get());
      String text = report.render();
      System.out.println(text);

      assertThat(report.passed()).as("%s%nLocust output:%n%s", text, output).isTrue();
      assertThat(report.routes()).extracting(RouteStats::route).containsExactlyInAnyOrder("http", "grpc");
      for (RouteStats route : report.routes()) {
        // How many depends on the machine's speed, which is the benchmarks' business: here each route
        // must have carried votes both ways (the traffic file has misfits refused at the door), and the
        // reconciliation above must have matched every one of them exactly.
        assertThat(route.accepted()).as(route.route()).isPositive();
        assertThat(route.rejected()).as(route.route()).isPositive();
      }
      // The file's catalog misfits are refused at the door now: none reaches the streams app.
      assertThat(text).doesNotContain("rejected.unknown_band", "rejected.unknown_album").contains("VERDICT: PASS");
    }
  }
}
