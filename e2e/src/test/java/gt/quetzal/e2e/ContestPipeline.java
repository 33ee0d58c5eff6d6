package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.ingest.http.IngestHttpMain;
import gt.quetzal.sinks.SinksConfig;
import gt.quetzal.sinks.SinksMain;
import gt.quetzal.streams.runtime.StreamsAppConfig;
import gt.quetzal.streams.runtime.StreamsMain;
import gt.quetzal.web.WebConfig;
import gt.quetzal.web.WebMain;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One contest's whole pipeline in process, on a fresh devstack: the contest is applied first, then
 * streams app, sinks, web and HTTP ingest start, as {@code ./quetzal up --catalog} does. A fresh stack per
 * contest keeps one scenario's bands (which stay counted in Redis) out of the next one's page.
 */
final class ContestPipeline implements AutoCloseable {

  /** Startup of the Streams app on two shared cores; generous on purpose (a hang still fails). */
  static final Duration WARM_UP = Duration.ofSeconds(90);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Devstack stack;
  private final List<AutoCloseable> services = new ArrayList<>();
  private final Path stateDir;
  private int ingestPort;
  private int webPort;

  private ContestPipeline(Devstack stack, Path stateDir) {
    this.stack = stack;
    this.stateDir = stateDir;
  }

  /** @param catalog the contest, or {@code null} for an open contest */
  static ContestPipeline start(Catalog catalog) throws IOException {
    ContestPipeline pipeline = new ContestPipeline(Devstack.startEphemeral(), Files.createTempDirectory("quetzal-contest-streams"));
    try {
      pipeline.startServices(catalog);
      return pipeline;
    } catch (RuntimeException | Error e) {
      pipeline.close();
      throw e;
    }
  }

  private void startServices(Catalog catalog) {
    stack.applyContest(catalog);
    Map<String, String> common =
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
            "REDIS_URL", stack.redisUrl(),
            "MONGO_URI", stack.mongoUri());
    StreamsMain.Running streams =
        StreamsMain.start(StreamsAppConfig.fromEnv(with(common, "HTTP_PORT", "0", "STATE_DIR", stateDir.toString())));
    services.add(streams);
    services.add(SinksMain.start(SinksConfig.fromEnv(with(common, "HTTP_PORT", "0"))));
    WebMain.Running web = WebMain.start(WebConfig.fromEnv(with(common, "HTTP_PORT", "0")));
    services.add(web);
    webPort = web.httpPort();
    IngestHttpMain.Running ingest = IngestHttpMain.start(IngestHttpConfig.fromEnv(with(common, "HTTP_PORT", "0")));
    services.add(ingest);
    ingestPort = ingest.httpPort();
    // Votes are cast only once they can be counted: ingest has read the contest, the Streams app runs.
    await("streams app running").atMost(WARM_UP).until(() -> streams.state() == KafkaStreams.State.RUNNING);
    await("ingest ready").atMost(WARM_UP).ignoreExceptions().until(() -> get(ingestPort, "/readyz") == 200);
  }

  String pageUrl() {
    return "http://localhost:" + webPort + "/";
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
        HttpRequest.newBuilder(URI.create("http://localhost:" + ingestPort + "/votes"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(vote)))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static int get(int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(5)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Override
  public void close() {
    for (int i = services.size() - 1; i >= 0; i--) {
      try {
        services.get(i).close();
      } catch (Exception e) {
        System.err.println("closing a service: " + e);
      }
    }
    stack.close();
    try (var paths = Files.walk(stateDir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not delete " + stateDir + ": " + e);
    }
  }

  private static Map<String, String> with(Map<String, String> base, String... pairs) {
    Map<String, String> env = new HashMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }
}
