package gt.quetzal.load.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLogTest {

  @TempDir Path dir;

  private void write(String name, String text) throws Exception {
    Files.writeString(dir.resolve(name), text);
  }

  private static final String CSV =
      RunLog.HEADER + "\n"
          + "q1.http.0.t-1,http,0,accepted,202,1,1700000000000,3.250\n"
          + "q1.http.0.t-2,http,1,rejected,400,1,1700000000001,1.000\n"
          + "q1.grpc.0.t-1,grpc,0,failed,14,3,1700000000002,10.500\n"
          + "q1.grpc.0.t-3,grpc,2,unfinished,0,1,1700000000003,0.000\n";

  @Test
  void readsEveryLineAndTheRunIdsWhenTheSummaryAgrees() throws Exception {
    write("outcomes-1-a.csv", CSV);
    write("summary-1-a.json", "{\"routes\":{\"http\":{\"sent\":2},\"grpc\":{\"sent\":2}},\"cpuSeconds\":9.5,\"wallSeconds\":10,\"ingestCpuSeconds\":null}");

    RunLog log = RunLog.read(dir);

    assertThat(log.problems()).isEmpty();
    assertThat(log.processes()).containsExactly(new RunLog.Process(java.util.Set.of("http", "grpc"), 9.5, 10.0, Double.NaN));
    assertThat(log.processes().get(0).cpuShare()).isEqualTo(0.95);
    assertThat(log.sends()).hasSize(4);
    assertThat(log.sends().get(2))
        .isEqualTo(new Send("q1.grpc.0.t-1", "grpc", 0, Send.Outcome.FAILED, 14, 3, 1_700_000_000_002L, 10.5));
    assertThat(log.runIds()).containsExactly("q1");
    assertThat(log.routes()).containsExactly("http", "grpc");
    assertThat(log.outcomes()).containsEntry(Send.Outcome.UNFINISHED, 1L).containsEntry(Send.Outcome.ACCEPTED, 1L);
  }

  @Test
  void aMissingSummaryOrLostLinesMakeTheLogUntrustworthy() throws Exception {
    write("outcomes-1-a.csv", CSV);
    write("outcomes-2-b.csv", CSV);
    write("summary-2-b.json", "{\"routes\":{\"http\":{\"sent\":5},\"grpc\":{\"sent\":2}}}");

    RunLog log = RunLog.read(dir);

    assertThat(log.problems()).hasSize(2);
    assertThat(log.problems().get(0)).contains("summary-1-a.json is missing");
    assertThat(log.problems().get(1)).contains("outcome lines were lost");
    assertThat(log.sends()).hasSize(8);
  }

  @Test
  void anEmptyDirectoryAndABrokenLineAreReported() throws Exception {
    assertThat(RunLog.read(dir).problems()).singleElement().asString().contains("no outcomes-*.csv");

    write("outcomes-3-c.csv", RunLog.HEADER + "\nq1.http.0.x,http,zero,accepted,202,1,1,1.0\n");
    write("summary-3-c.json", "{\"routes\":{}}");
    assertThat(RunLog.read(dir).problems()).singleElement().asString().contains("line 2");
  }
}
