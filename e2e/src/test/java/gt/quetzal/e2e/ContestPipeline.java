package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * One contest's whole pipeline in process, on a fresh devstack: the contest is applied first, then
 * streams app, sinks, web and HTTP ingest start, as {@code ./quetzal up --catalog} does. A fresh stack per
 * contest keeps one scenario's bands (which stay counted in Redis) out of the next one's page.
 */
final class ContestPipeline implements AutoCloseable {

  /** Startup of the Streams app on two shared cores; generous on purpose (a hang still fails). */
  static final Duration WARM_UP = Duration.ofSeconds(90);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final InProcessStack stack;

  private ContestPipeline(InProcessStack stack) {
    this.stack = stack;
  }

  /**
   * @param catalog the contest, or {@code null} for an open contest. Votes are cast only once they can
   *     be counted: ingest has read the contest, the Streams app runs.
   */
  static ContestPipeline start(Catalog catalog) {
    return new ContestPipeline(
        InProcessStack.builder().contest(catalog).streams().sinks().web().ingestHttp().startup(WARM_UP).start());
  }

  String pageUrl() {
    return stack.webUrl() + "/";
  }

  /** Makes contest.catalog say {@code catalog} while everything runs ({@code ./quetzal contest apply}). */
  void applyContest(Catalog catalog) {
    stack.applyContest(catalog);
  }

  /** One vote through {@code POST /votes}; it must be answered 202. */
  void vote(String band, String album, int year) throws Exception {
    HttpResponse<String> answer = post(band, album, year);
    assertThat(answer.statusCode()).as("%s: %s", band, answer.body()).isEqualTo(202);
  }

  /**
   * One vote for a band that was just added: until ingest has read the new catalog it is refused at the
   * door (400 not_in_contest, nothing published), so only that answer is retried, never a 202 or a 5xx.
   */
  void voteOnceAdmitted(String band, String album, int year) {
    await("ingest admits " + band)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          HttpResponse<String> answer = post(band, album, year);
          if (answer.statusCode() == 400 && answer.body().contains("not_in_contest")) {
            return false;
          }
          assertThat(answer.statusCode()).as("%s: %s", band, answer.body()).isEqualTo(202);
          return true;
        });
  }

  private HttpResponse<String> post(String band, String album, int year) throws Exception {
    Map<String, String> vote = Map.of("name", band, "album", album, "year", Integer.toString(year), "rank", "80");
    HttpRequest request =
        HttpRequest.newBuilder(stack.ingestUrl().resolve("/votes"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(vote)))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    stack.close();
  }
}
