package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.TestCase;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The SSE push: a fake change source stands in for the Redis subscription. */
class LiveHubTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final Fakes.Standings standings = new Fakes.Standings(Fakes.threeBands());
  private final Fakes.Changes changes = new Fakes.Changes();
  private final AtomicLong clock = new AtomicLong(1_767_225_600_000L);
  private final PrometheusMeterRegistry registry = WebApp.newRegistry();

  private LiveHub hub(Duration keepAlive) {
    return new LiveHub(
        standings, changes, new VoteRate(), registry, clock::get,
        new LiveHub.Pace(LiveHub.MIN_INTERVAL, Duration.ofMillis(50), keepAlive), SseLimits.DEFAULTS);
  }

  private WebApp app(LiveHub hub) {
    return new WebApp(new Fakes.Timelines(), new Fakes.Log(), hub, registry);
  }

  /** Runs {@code body} against a started server and closes the hub before the server stops (see LiveHub.close). */
  private void withServer(LiveHub hub, TestCase body) {
    JavalinTest.test(
        app(hub).create(),
        (server, client) -> {
          try {
            body.accept(server, client);
          } finally {
            hub.close();
          }
        });
  }

  private static JsonNode json(SseRecorder.Event event) {
    try {
      return Json.MAPPER.readTree(event.data());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean snapshotWith(SseRecorder.Event event, String band, long total) {
    if (!LiveHub.SNAPSHOT.equals(event.name())) {
      return false;
    }
    for (JsonNode node : json(event).get("standings").get("bands")) {
      if (node.get("name").asText().equals(band)) {
        return node.get("total").asLong() == total;
      }
    }
    return false;
  }

  private static String url(io.javalin.Javalin server) {
    return "http://localhost:" + server.port() + "/api/events";
  }

  private static StandingsReader.Snapshot withTotal(String band, long total, long accepted) {
    Map<String, Long> totals = new java.util.HashMap<>(Fakes.threeBands().totals());
    totals.put(band, total);
    return new StandingsReader.Snapshot(
        totals, Fakes.threeBands().albums(), Map.of("accepted", accepted), 1_767_225_600_000L);
  }

  @Test
  void aChangeIsPushedToEveryOpenPageWithTheFreshStandings() {
    LiveHub hub = hub(LiveHub.KEEP_ALIVE);
    hub.start();
    changes.connected();
    withServer(
        hub,
        (server, client) -> {
          try (SseRecorder first = new SseRecorder(url(server));
              SseRecorder second = new SseRecorder(url(server))) {
            assertThat(first.response().statusCode()).isEqualTo(200);
            assertThat(first.response().headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
            // On connect: the current state at once.
            SseRecorder.Event initial = first.await(WAIT, e -> snapshotWith(e, "Malacates Trébol Shop", 50));
            JsonNode body = json(initial);
            assertThat(body.get("stats").get("accepted").asLong()).isEqualTo(100);
            assertThat(body.get("stats").get("rejectedByReason").get("unknown_band").asLong()).isEqualTo(2);
            assertThat(body.get("standings").get("bands").get(0).get("albums")).hasSize(2);
            second.await(WAIT, e -> snapshotWith(e, "Malacates Trébol Shop", 50));
            await().atMost(WAIT).until(() -> hub.clientCount() == 2);

            standings.snapshot.set(withTotal("Alux Nahual", 31, 101));
            changes.change();

            JsonNode pushed = json(first.await(WAIT, e -> snapshotWith(e, "Alux Nahual", 31)));
            second.await(WAIT, e -> snapshotWith(e, "Alux Nahual", 31));
            assertThat(pushed.get("version").asLong()).isGreaterThan(body.get("version").asLong());
            // The markup in a band name travels as a JSON string; the page shows it as text.
            assertThat(pushed.toString()).contains("<img src=x onerror=alert(1)>");
          }
        });
  }

  @Test
  void aBurstOfChangesIsCoalescedIntoFewReads() {
    LiveHub hub = hub(LiveHub.KEEP_ALIVE);
    hub.start();
    changes.connected();
    withServer(
        hub,
        (server, client) -> {
          try (SseRecorder page = new SseRecorder(url(server))) {
            page.await(WAIT, e -> snapshotWith(e, "Alux Nahual", 30));
            int readsBefore = standings.reads.get();

            for (int i = 1; i <= 500; i++) {
              standings.snapshot.set(withTotal("Alux Nahual", 30 + i, 100 + i));
              changes.change();
            }

            page.await(WAIT, e -> snapshotWith(e, "Alux Nahual", 530));
            // 500 notes in a burst: one read now, then at most one per 100 ms, not one per note.
            assertThat(standings.reads.get() - readsBefore).isBetween(1, 20);
            assertThat(page.events().stream().filter(e -> e.name().equals(LiveHub.SNAPSHOT)).count())
                .isLessThan(30);
          }
        });
  }

  @Test
  void aLostSubscriptionIsAProblemEventAndTheReconnectionASnapshot() {
    LiveHub hub = hub(LiveHub.KEEP_ALIVE);
    hub.start();
    changes.connected();
    withServer(
        hub,
        (server, client) -> {
          try (SseRecorder page = new SseRecorder(url(server))) {
            page.await(WAIT, e -> e.name().equals(LiveHub.SNAPSHOT));
            changes.lost();
            SseRecorder.Event problem = page.await(WAIT, e -> e.name().equals(LiveHub.PROBLEM));
            assertThat(json(problem).get("backend").asText()).isEqualTo("redis");
            assertThat(json(problem).get("detail").asText()).contains("Redis");

            standings.snapshot.set(withTotal("Alux Nahual", 77, 177));
            changes.connected(); // resubscribed: re-read, because notes may have been missed
            page.await(WAIT, e -> snapshotWith(e, "Alux Nahual", 77));
            List<String> names = page.events().stream().map(SseRecorder.Event::name).toList();
            assertThat(names.lastIndexOf(LiveHub.SNAPSHOT)).isGreaterThan(names.indexOf(LiveHub.PROBLEM));
          }
        });
  }

  @Test
  void aFailedReadIsAProblemAndIsRetriedWithoutANewNote() {
    LiveHub hub = hub(LiveHub.KEEP_ALIVE);
    hub.start();
    standings.failure.set(Fakes.REDIS_REFUSED);
    changes.connected();
    withServer(
        hub,
        (server, client) -> {
          try (SseRecorder page = new SseRecorder(url(server))) {
            // A page opened during the outage learns about it at once.
            page.await(WAIT, e -> e.name().equals(LiveHub.PROBLEM));
            standings.failure.set(null);
            page.await(WAIT, e -> snapshotWith(e, "Alux Nahual", 30));
          }
        });
  }

  @Test
  void votesPerSecondIsMeasuredAndDecaysWithoutNewNotes() {
    LiveHub hub = hub(LiveHub.KEEP_ALIVE);
    standings.snapshot.set(withTotal("Alux Nahual", 30, 1_000));
    hub.start();
    changes.connected();
    withServer(
        hub,
        (server, client) -> {
          try (SseRecorder page = new SseRecorder(url(server))) {
            page.await(WAIT, e -> snapshotWith(e, "Alux Nahual", 30));
            clock.addAndGet(2_000);
            standings.snapshot.set(withTotal("Alux Nahual", 130, 1_100));
            changes.change();
            SseRecorder.Event busy = page.await(WAIT, e -> snapshotWith(e, "Alux Nahual", 130));
            assertThat(json(busy).get("stats").get("votesPerSecond").asDouble()).isEqualTo(50.0);

            clock.addAndGet(VoteRate.WINDOW_MS + 1); // no votes for a whole window, and no note
            SseRecorder.Event idle =
                page.await(
                    WAIT,
                    e -> snapshotWith(e, "Alux Nahual", 130)
                        && json(e).get("stats").get("votesPerSecond").asDouble() == 0.0);
            // Same data, same version: the page does not re-read the logs for a rate-only update.
            assertThat(json(idle).get("version").asLong()).isEqualTo(json(busy).get("version").asLong());
            assertThat(standings.reads.get()).isEqualTo(2);
          }
        });
  }

  @Test
  void closedPagesAreDroppedAndKeepAlivesFlow() {
    LiveHub hub = hub(Duration.ofMillis(100));
    hub.start();
    changes.connected();
    withServer(
        hub,
        (server, client) -> {
          try (SseRecorder stays = new SseRecorder(url(server))) {
            SseRecorder leaves = new SseRecorder(url(server));
            leaves.await(WAIT, e -> e.name().equals(LiveHub.SNAPSHOT));
            await().atMost(WAIT).until(() -> hub.clientCount() == 2);
            leaves.close();
            // The next keep-alive write to the closed stream fails and drops it.
            await().atMost(WAIT).until(() -> hub.clientCount() == 1);
            await().atMost(WAIT).until(() -> stays.comments().contains("keep-alive"));
            assertThat(registry.scrape()).contains("quetzal_web_sse_clients 1.0");
          }
        });
  }

  @Test
  void closingTheHubEndsTheStreamsAndTheSubscription() {
    LiveHub hub = hub(LiveHub.KEEP_ALIVE);
    hub.start();
    changes.connected();
    withServer(
        hub,
        (server, client) -> {
          try (SseRecorder page = new SseRecorder(url(server))) {
            page.await(WAIT, e -> e.name().equals(LiveHub.SNAPSHOT));
            hub.close();
            assertThat(changes.closed).isTrue();
            assertThat(hub.clientCount()).isZero();
          }
        });
  }
}
