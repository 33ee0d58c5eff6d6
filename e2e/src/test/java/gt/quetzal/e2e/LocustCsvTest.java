package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocustCsv} must see a failed run as failed, or SeedLocustfileIT could pass on one. The
 * {@code refused_*} fixtures are the files Debian's Locust 2.12 wrote for the seed-style locustfile
 * pointed at a closed port: every request failed, and every {@code res.json()} raised.
 */
class LocustCsvTest {

  private static final Path FIXTURES = Path.of("src/test/resources/locust-csv");

  private static final String STATS_HEADER =
      "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
          + "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n";

  @TempDir Path dir;

  @Test
  void aRunWhereEveryRequestFailedIsNotClean() {
    LocustCsv run = LocustCsv.read(FIXTURES.resolve("refused"));

    assertThat(run.clean()).isFalse();
    assertThat(run.requests()).isEqualTo(300);
    assertThat(run.failedRequests()).isEqualTo(300);
    assertThat(run.failures()).containsExactly("300 x ConnectionRefusedError(111, 'Connection refused')");
    // One row whose traceback spans many lines inside quotes: still one exception kind, counted 300 times.
    assertThat(run.exceptions()).isEqualTo(300);
    assertThat(run.exceptionMessages()).containsExactly("300 x Expecting value: line 1 column 1 (char 0)");
  }

  @Test
  void aCleanRunIsClean() throws IOException {
    write("ok", STATS_HEADER
        + "POST,/votes,300,0,5,6.1,1.2,40.0,17.0,150.2,0.0,5,6,7,8,10,12,20,30,40,40,40\r\n"
        + ",Aggregated,300,0,5,6.1,1.2,40.0,17.0,150.2,0.0,5,6,7,8,10,12,20,30,40,40,40\r\n",
        "Method,Name,Error,Occurrences\r\n", "Count,Message,Traceback,Nodes\r\n");

    LocustCsv run = LocustCsv.read(dir.resolve("ok"));

    assertThat(run.clean()).isTrue();
    assertThat(run.requests()).isEqualTo(300);
  }

  @Test
  void exceptionsAloneMakeARunUnclean() throws IOException {
    // 2xx answers without a JSON body: no failed request, but res.json() raised every time.
    write("nojson", STATS_HEADER
        + ",Aggregated,4,0,5,6.1,1.2,40.0,0.0,150.2,0.0,5,6,7,8,10,12,20,30,40,40,40\r\n",
        "Method,Name,Error,Occurrences\r\n",
        "Count,Message,Traceback,Nodes\r\n4,\"Expecting value: line 1 column 1 (char 0)\",\"  File \"\"x.py\"\", line 1\r\n    res.json()\r\n\",local\r\n");

    LocustCsv run = LocustCsv.read(dir.resolve("nojson"));

    assertThat(run.failedRequests()).isZero();
    assertThat(run.exceptions()).isEqualTo(4);
    assertThat(run.clean()).isFalse();
  }

  @Test
  void aFailureRowAloneMakesARunUnclean() throws IOException {
    write("fail", STATS_HEADER
        + ",Aggregated,2,0,5,6.1,1.2,40.0,0.0,150.2,0.0,5,6,7,8,10,12,20,30,40,40,40\r\n",
        "Method,Name,Error,Occurrences\r\nPOST,,HTTPError('404 Client Error: Not Found for url: /vote'),1\r\n",
        "Count,Message,Traceback,Nodes\r\n");

    assertThat(LocustCsv.read(dir.resolve("fail")).clean()).isFalse();
  }

  @Test
  void aRunThatLeftNoFilesOrNoTotalIsAnError() throws IOException {
    assertThatThrownBy(() -> LocustCsv.read(dir.resolve("absent"))).isInstanceOf(UncheckedIOException.class);

    write("cut", STATS_HEADER + "POST,/votes,3,0,5,6.1,1.2,40.0,0.0,150.2,0.0,5,6,7,8,10,12,20,30,40,40,40\r\n",
        "Method,Name,Error,Occurrences\r\n", "Count,Message,Traceback,Nodes\r\n");
    assertThatThrownBy(() -> LocustCsv.read(dir.resolve("cut"))).hasMessageContaining("no Aggregated row");
  }

  @Test
  void quotedFieldsKeepCommasQuotesAndLineBreaks() {
    assertThat(LocustCsv.rows("a,\"b,\"\"c\"\"\nd\",e\r\nf,,g"))
        .containsExactly(List.of("a", "b,\"c\"\nd", "e"), List.of("f", "", "g"));
    assertThatThrownBy(() -> LocustCsv.rows("a,\"open")).hasMessageContaining("quoted");
  }

  private void write(String prefix, String stats, String failures, String exceptions) throws IOException {
    Files.writeString(dir.resolve(prefix + "_stats.csv"), stats);
    Files.writeString(dir.resolve(prefix + "_failures.csv"), failures);
    Files.writeString(dir.resolve(prefix + "_exceptions.csv"), exceptions);
  }
}
