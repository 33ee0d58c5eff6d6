package gt.quetzal.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpServer;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DemoDriverTest {

  private final Catalog catalog = Catalog.load(Path.of("..", "config", "catalog.json"));
  private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private HttpServer server;
  private DemoDriver driver;

  /** A fake ingest that answers each request with the status the test picks by request number. */
  private URI ingest(java.util.function.IntUnaryOperator statusForRequest) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/votes",
        exchange -> {
          int n = requests.getAndIncrement();
          byte[] body = exchange.getRequestBody().readAllBytes();
          received.add(Json.MAPPER.readValue(body, new TypeReference<Map<String, String>>() {}));
          contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
          exchange.sendResponseHeaders(statusForRequest.applyAsInt(n), -1);
          exchange.close();
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private DemoDriver driver(URI uri, PrintStream out) {
    driver =
        new DemoDriver(
            HttpClient.newHttpClient(),
            uri,
            new VoteSampler(catalog, 1.0, new Random(5)),
            () -> 42L,
            200,
            16,
            out);
    return driver;
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void postsSeedFormatVotesAndCountsEachOutcome() throws Exception {
    // Every 5th request refused as invalid, every 7th as unavailable, the rest accepted.
    URI uri = ingest(n -> n % 5 == 0 ? 400 : n % 7 == 0 ? 503 : 202);
    DemoDriver demo = driver(uri, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    demo.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> demo.sent.get() >= 100);
    demo.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> demo.accepted.get() + demo.refused.get() + demo.failed.get() == demo.sent.get());

    assertThat(received).allSatisfy(vote -> assertThat(vote).containsOnlyKeys("name", "album", "year", "rank"));
    assertThat(contentTypes).allMatch("application/json"::equals);
    // The fake answered requests 0..n-1 by number, so each outcome's count follows from n alone.
    long n = demo.sent.get();
    assertThat(requests.get()).as("every vote sent reached the fake").isEqualTo(n);
    long invalid = 0;
    long unavailable = 0;
    for (int i = 0; i < n; i++) {
      if (i % 5 == 0) {
        invalid++;
      } else if (i % 7 == 0) {
        unavailable++;
      }
    }
    assertThat(n).isGreaterThanOrEqualTo(100);
    assertThat(demo.refused.get()).as("400s are refused").isEqualTo(invalid);
    assertThat(demo.failed.get()).as("503s are failures").isEqualTo(unavailable);
    assertThat(demo.accepted.get()).as("202s are accepted").isEqualTo(n - invalid - unavailable);
    assertThat(received).hasSize((int) n);
  }

  @Test
  void progressLineShowsSentAcceptedAndCounted() throws Exception {
    URI uri = ingest(n -> 202);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DemoDriver demo = driver(uri, new PrintStream(bytes, true, StandardCharsets.UTF_8));

    demo.start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bytes.toString(StandardCharsets.UTF_8).contains("counted 42"));

    assertThat(bytes.toString(StandardCharsets.UTF_8)).containsPattern("sent \\d+ \\(\\d+/s\\)  accepted \\d+");
  }
}
