package gt.quetzal.load.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the locustfile's own unit tests (load/locust/test_locustfile.py) with Debian's python3, which
 * has Locust, grpcio and grpc-tools (.ci/run installs them), then reads the outcome files its Run test
 * wrote: the Python writer and the Java reader must agree on the format.
 *
 * <p>Where that python3 or its modules are absent (a developer machine without .ci/run's packages),
 * the test is skipped with the reason, not failed: it checks the locustfile, not the machine.
 */
class LocustfileTest {

  static final String PYTHON = "/usr/bin/python3";

  @TempDir Path out;

  @Test
  void theLocustfilesTestsPassAndTheirOutcomeFilesReadBackInJava() throws Exception {
    assumeTrue(new File(PYTHON).canExecute(), PYTHON + " is absent (.ci/run installs Debian's python3)");
    String missing = missingModules();
    assumeTrue(
        missing.isEmpty(),
        () -> PYTHON + " cannot import locust, grpc and grpc_tools (.ci/run installs python3-locust,"
            + " python3-grpcio, python3-grpc-tools): " + missing);
    Path log = out.resolve("python.log");
    ProcessBuilder builder =
        new ProcessBuilder(PYTHON, "-m", "unittest", "-v", "test_locustfile")
            .directory(Path.of("locust").toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("QUETZAL_TEST_OUT", out.toString());
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process python = builder.start();
    boolean finished = python.waitFor(120, TimeUnit.SECONDS);
    if (!finished) {
      python.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);

    assertThat(finished).as("python unittest did not finish in 120 s:%n%s", output).isTrue();
    assertThat(python.exitValue()).as(output).isZero();
    assertThat(output).contains("OK");

    RunLog runLog = RunLog.read(out);
    assertThat(runLog.problems()).isEmpty();
    assertThat(runLog.runIds()).containsExactly("qtest-1");
    assertThat(runLog.sends())
        .extracting(Send::voteId, Send::outcome)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("qtest-1.http.0.t1-000000", Send.Outcome.ACCEPTED),
            org.assertj.core.groups.Tuple.tuple("qtest-1.http.0.r1", Send.Outcome.REJECTED),
            org.assertj.core.groups.Tuple.tuple("qtest-1.http.0.t1-000000", Send.Outcome.UNFINISHED),
            org.assertj.core.groups.Tuple.tuple("qtest-1.grpc.0.t1-000000", Send.Outcome.FAILED));
    assertThat(runLog.sends().get(0).latencyMs()).isEqualTo(3.25);
    assertThat(runLog.sends().get(0).startMs()).isEqualTo(1_700_000_000_000L);
  }

  /** Empty when {@link #PYTHON} imports the modules the locustfile and its tests need, else its error. */
  private String missingModules() throws Exception {
    Path log = out.resolve("probe.log");
    Process probe =
        new ProcessBuilder(PYTHON, "-c", "import locust, grpc, grpc_tools")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!probe.waitFor(60, TimeUnit.SECONDS)) {
      probe.destroyForcibly();
      return "the import probe did not finish in 60 s";
    }
    if (probe.exitValue() == 0) {
      return "";
    }
    String output = Files.readString(log, StandardCharsets.UTF_8).strip();
    int lastLine = output.lastIndexOf('\n');
    return lastLine < 0 ? output : output.substring(lastLine + 1);
  }
}
