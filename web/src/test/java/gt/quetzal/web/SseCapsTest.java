package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.TestCase;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 17, item 2: open live pages are capped per client address (429) and in total (503). */
class SseCapsTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final Fakes.Standings standings = new Fakes.Standings(Fakes.threeBands());
  private final Fakes.Changes changes = new Fakes.Changes();
  private final PrometheusMeterRegistry registry = WebApp.newRegistry();

  /** A started hub with the given caps; keep-alives every 100 ms find closed sockets quickly. */
  private void withServer(SseLimits limits, TestCase body) {
    LiveHub hub =
        new LiveHub(
            standings, changes, new VoteRate(), registry, () -> 1_767_225_600_000L,
            new LiveHub.Pace(LiveHub.MIN_INTERVAL, LiveHub.RATE_TICK, Duration.ofMillis(100)), limits);
    hub.start();
    changes.connected();
    WebApp app = new WebApp(new Fakes.Timelines(), new Fakes.Log(), hub, registry);
    JavalinTest.test(
        app.create(),
        (server, client) -> {
          try {
            body.accept(server, client);
          } finally {
            hub.close();
          }
        });
  }

  private static RawSse.Response accepted(List<RawSse> open, int port, String from) throws Exception {
    RawSse socket = RawSse.open(port, from, 0);
    open.add(socket);
    RawSse.Response response = socket.response();
    assertThat(response.status()).as("a stream from %s", from).isEqualTo(200);
    assertThat(response.header("Content-Type")).startsWith("text/event-stream");
    return response;
  }

  private static JsonNode json(String body) throws Exception {
    return Json.MAPPER.readTree(body);
  }

  @Test
  void oneAddressPastItsCapGets429WithRetryAfterAndOtherAddressesStillGetIn() {
    withServer(
        new SseLimits(2, 100, SseLimits.DEFAULT_WRITE_TIMEOUT),
        (server, client) -> {
          List<RawSse> open = new ArrayList<>();
          try {
            accepted(open, server.port(), "127.0.0.1");
            accepted(open, server.port(), "127.0.0.1");

            try (RawSse third = RawSse.open(server.port(), "127.0.0.1", 0)) {
              RawSse.Response refused = third.response();
              assertThat(refused.status()).isEqualTo(429);
              assertThat(refused.header("Retry-After")).isEqualTo(Integer.toString(SseClients.RETRY_AFTER_SECONDS));
              assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
              JsonNode problem = json(refused.body());
              assertThat(problem.get("status").asInt()).isEqualTo(429);
              assertThat(problem.get("title").asText()).isEqualTo("Too Many Requests");
            }
            // The cap is per address: another client is not held back by this one.
            accepted(open, server.port(), "127.0.0.2");
            assertThat(registry.scrape()).contains("quetzal_web_sse_refused_total{reason=\"per-address\"} 1.0");

            // A closed page gives its slot back (found by the next keep-alive write).
            open.remove(0).close();
            await().atMost(WAIT).until(() -> clientsOpen() == 2);
            accepted(open, server.port(), "127.0.0.1");
          } finally {
            for (RawSse socket : open) {
              socket.close();
            }
          }
        });
  }

  @Test
  void pastTheTotalCapEveryAddressGets503WithRetryAfter() {
    withServer(
        new SseLimits(10, 3, SseLimits.DEFAULT_WRITE_TIMEOUT),
        (server, client) -> {
          List<RawSse> open = new ArrayList<>();
          try {
            accepted(open, server.port(), "127.0.0.1");
            accepted(open, server.port(), "127.0.0.2");
            accepted(open, server.port(), "127.0.0.3");

            try (RawSse fourth = RawSse.open(server.port(), "127.0.0.4", 0)) {
              RawSse.Response refused = fourth.response();
              assertThat(refused.status()).isEqualTo(503);
              assertThat(refused.header("Retry-After")).isEqualTo(Integer.toString(SseClients.RETRY_AFTER_SECONDS));
              assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
              assertThat(json(refused.body()).get("status").asInt()).isEqualTo(503);
            }
            assertThat(registry.scrape()).contains("quetzal_web_sse_refused_total{reason=\"total\"} 1.0");
          } finally {
            for (RawSse socket : open) {
              socket.close();
            }
          }
        });
  }

  /** Open streams as the metrics gauge reports them. */
  private int clientsOpen() {
    return (int) registry.get("quetzal.web.sse.clients").gauge().value();
  }
}
