package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import io.javalin.testtools.JavalinTest;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 2: browsers that subscribe and never read must not hold up the live page for the
 * others. Twenty raw sockets with tiny receive buffers ask for {@code /api/events} and never read
 * while the hub pushes half-megabyte snapshots; a reading client must still get every version.
 */
class SseStalledClientsTest {

  private static final int STALLED = 20;
  private static final int UPDATES = 30;
  /** Big enough that a stalled socket's buffers fill after a few pushes. */
  private static final int BANDS = 3_000;

  private final Fakes.Standings standings = new Fakes.Standings(big(0));
  private final Fakes.Changes changes = new Fakes.Changes();
  private final PrometheusMeterRegistry registry = WebApp.newRegistry();

  /** Many bands with long names; {@code round} changes every total so each read is new data. */
  private static StandingsReader.Snapshot big(long round) {
    Map<String, Long> totals = new HashMap<>();
    for (int i = 0; i < BANDS; i++) {
      totals.put(String.format("Banda %05d ", i) + "x".repeat(90), round + i);
    }
    return new StandingsReader.Snapshot(totals, List.of(), Map.of("accepted", round), 1_767_225_600_000L);
  }

  private static long version(SseRecorder.Event event) {
    try {
      JsonNode body = Json.MAPPER.readTree(event.data());
      return body.get("version").asLong();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Long> versions(SseRecorder page) {
    List<Long> seen = new ArrayList<>();
    for (SseRecorder.Event event : page.events()) {
      if (LiveHub.SNAPSHOT.equals(event.name())) {
        long v = version(event);
        if (seen.isEmpty() || seen.get(seen.size() - 1) != v) {
          seen.add(v);
        }
      }
    }
    return seen;
  }

  @Test
  void stalledReadersAreDroppedAndAReadingPageGetsEveryVersion() {
    SseLimits limits = new SseLimits(STALLED + 5, 100, Duration.ofMillis(500));
    LiveHub hub =
        new LiveHub(
            standings, changes, new VoteRate(), registry, () -> 1_767_225_600_000L,
            LiveHub.Pace.DEFAULT, limits);
    hub.start();
    changes.connected();
    WebApp app = new WebApp(new Fakes.Timelines(), new Fakes.Log(), hub, registry);
    JavalinTest.test(
        app.create(),
        (server, client) -> {
          List<RawSse> stalled = new ArrayList<>();
          try (SseRecorder page = new SseRecorder("http://localhost:" + server.port() + "/api/events")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> versions(page).contains(1L));
            for (int i = 0; i < STALLED; i++) {
              stalled.add(RawSse.open(server.port(), "127.0.0.1", 4_096));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> hub.clientCount() == STALLED + 1);

            for (long round = 1; round <= UPDATES; round++) {
              long expected = round + 1;
              standings.snapshot.set(big(round));
              changes.change();
              // The target for a live page, per update; not a throughput measurement.
              await().atMost(Duration.ofSeconds(1)).until(() -> versions(page).contains(expected));
            }

            List<Long> everyVersion = new ArrayList<>();
            for (long v = 1; v <= UPDATES + 1; v++) {
              everyVersion.add(v);
            }
            assertThat(versions(page)).isEqualTo(everyVersion);
            // The stalled ones were cut off and counted; the reading page stays.
            await().atMost(Duration.ofSeconds(5)).until(() -> hub.clientCount() == 1);
            assertThat(registry.scrape()).contains("quetzal_web_sse_dropped_total " + STALLED + ".0");
            for (RawSse socket : stalled) {
              assertThat(socket.endedByServer()).isTrue();
            }
          } finally {
            hub.close();
            for (RawSse socket : stalled) {
              socket.close();
            }
          }
        });
  }
}
