package gt.quetzal.load.reconcile;

import static gt.quetzal.load.reconcile.ReconcileFixtures.CLASSIFIER;
import static gt.quetzal.load.reconcile.ReconcileFixtures.TRAFFIC;
import static gt.quetzal.load.reconcile.ReconcileFixtures.send;
import static gt.quetzal.load.reconcile.Send.Outcome.ACCEPTED;
import static gt.quetzal.load.reconcile.Send.Outcome.REJECTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcilerTest {

  private static final ReconcileConfig.Settle FAST =
      new ReconcileConfig.Settle(Duration.ofSeconds(10), Duration.ofMillis(300), Duration.ofMillis(10));

  private static final PipelineState BEFORE =
      FakePipeline.state(100, 5, 0, Map.of("Alux Nahual", 60L, "Malacates Trébol Shop", 40L), 100, 7);

  /** Two valid votes over two routes, one retried copy, one catalog misfit, one refused at the door. */
  private static final RunLog RUN =
      new RunLog(
          List.of(
              send("q1.http.0.a", "http", 0, ACCEPTED, 1),
              send("q1.http.0.a", "http", 0, ACCEPTED, 1),
              send("q1.grpc.0.b", "grpc", 1, ACCEPTED, 1),
              send("q1.http.0.c", "http", 2, ACCEPTED, 1),
              send("q1.grpc.0.d", "grpc", 4, REJECTED, 1)),
          List.of());

  private static Map<String, Long> bands(long alux, long malacates) {
    Map<String, Long> bands = new HashMap<>();
    bands.put("Alux Nahual", alux);
    bands.put("Malacates Trébol Shop", malacates);
    return bands;
  }

  private static PipelineState after(long alux) {
    return FakePipeline.state(102, 6, 1, bands(alux, 41), 102, 8);
  }

  private static FakePipeline pipelineWithDocuments() {
    FakePipeline pipeline = new FakePipeline();
    pipeline.stored.add("q1.http.0.a");
    pipeline.stored.add("q1.grpc.0.b");
    pipeline.rejected.put("q1.http.0.c", 1L);
    return pipeline;
  }

  @Test
  void passesOnceThePipelineCatchesUpWithWhatIngestAccepted() {
    FakePipeline pipeline =
        pipelineWithDocuments()
            .then(BEFORE)
            .then(FakePipeline.state(101, 5, 0, bands(61, 40), 100, 7)) // halfway
            .then(after(61));

    Report report = new Reconciler(pipeline, CLASSIFIER, FAST).reconcile(RUN, TRAFFIC, BEFORE);

    assertThat(report.failures()).isEmpty();
    assertThat(report.passed()).isTrue();
    assertThat(report.settled()).isTrue();
    assertThat(pipeline.looks).isGreaterThanOrEqualTo(3);
    String text = report.render();
    assertThat(text).contains("VERDICT: PASS").contains("votes sent 5: accepted 4").contains("rejected 1");
    assertThat(text).containsPattern("(?m)^  http .*$").containsPattern("(?m)^  grpc .*$");
  }

  @Test
  void failsNamingEveryDifferenceWhenAVoteNeverArrives() {
    FakePipeline pipeline = new FakePipeline().then(FakePipeline.state(101, 6, 1, bands(61, 40), 101, 8));
    pipeline.stored.add("q1.http.0.a");
    pipeline.rejected.put("q1.http.0.c", 1L);

    Report report = new Reconciler(pipeline, CLASSIFIER, FAST).reconcile(RUN, TRAFFIC, BEFORE);

    assertThat(report.passed()).isFalse();
    assertThat(report.failures())
        .extracting(Check::name)
        .contains(
            "streams stats accepted",
            "redis band Malacates Trébol Shop",
            "mongo votes added",
            "mongo votes of this run (by voteId)",
            "every vote ingest accepted is in mongo");
    assertThat(report.render())
        .contains("VERDICT: FAIL")
        .contains("expected 2, got 1")
        .contains("1 missing [q1.grpc.0.b]");
  }

  @Test
  void aDoubleCountIsCaughtToo() {
    FakePipeline pipeline = pipelineWithDocuments().then(after(62)); // one vote counted twice for Alux

    Report report = new Reconciler(pipeline, CLASSIFIER, FAST).reconcile(RUN, TRAFFIC, BEFORE);

    assertThat(report.failures())
        .extracting(Check::name)
        .containsExactlyInAnyOrder("redis band Alux Nahual", "redis band totals = streams accepted");
  }

  @Test
  void anUnreachablePipelineFailsAfterTheTimeoutWithTheReason() {
    FakePipeline pipeline = new FakePipeline();
    pipeline.failure = new Pipeline.PipelineException("Redis at redis://x did not answer");
    ReconcileConfig.Settle brief = new ReconcileConfig.Settle(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(10));

    Report report = new Reconciler(pipeline, CLASSIFIER, brief).reconcile(RUN, TRAFFIC, BEFORE);

    assertThat(report.passed()).isFalse();
    assertThat(report.settled()).isFalse();
    assertThat(report.failures()).extracting(Check::actual).anyMatch(a -> a.contains("redis://x did not answer"));
  }

  @Test
  void anIncompleteOutcomeLogFailsEvenWhenTheCountsAgree() {
    RunLog incomplete = new RunLog(RUN.sends(), List.of("summary-1.json is missing"));
    FakePipeline pipeline = pipelineWithDocuments().then(after(61));

    Report report = new Reconciler(pipeline, CLASSIFIER, FAST).reconcile(incomplete, TRAFFIC, BEFORE);

    assertThat(report.failures()).extracting(Check::name).containsExactly("outcome log complete");
  }

  @Test
  void theCommandLineExplainsItselfAndRejectsBadConfiguration() {
    assertThat(Reconciler.run(new String[] {"nonsense"}, Map.of())).isEqualTo(2);
    assertThat(Reconciler.run(new String[] {"snapshot", "x.json"}, Map.of("REDIS_URL", "http://wrong"))).isEqualTo(2);
  }
}
