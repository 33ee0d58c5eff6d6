package gt.quetzal.streams.query;

import gt.quetzal.streams.runtime.StreamsMain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.contract.Json;
import io.javalin.testtools.JavalinTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** The HTTP layer against a fake state and fake tallies: no Kafka involved. */
class StreamsHttpAppTest {

  private static final Instant NOW = Instant.parse("2026-11-26T18:30:20Z");
  private static final String TREBOL = "Malacates Trébol Shop";

  private final AtomicReference<KafkaStreams.State> state =
      new AtomicReference<>(KafkaStreams.State.RUNNING);
  private final FakeTallies cluster = new FakeTallies();
  private final FakeTallies owned = new FakeTallies();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private StreamsHttpApp app(Catalog catalog) {
    CatalogIndex contest = catalog == null ? CatalogIndex.OPEN : CatalogIndex.of(catalog);
    return new StreamsHttpApp(
        state::get,
        cluster,
        owned,
        StreamsHttpApp.bandLookup(() -> contest),
        3,
        Clock.fixed(NOW, ZoneOffset.UTC),
        registry);
  }

  private final StreamsHttpApp app = app(null);

  @Test
  void standingsAreSortedByTotalDescendingThenByName() {
    cluster.totals.putAll(
        Map.of("Alux Nahual", 3L, TREBOL, 12L, "Bohemia Suburbana", 3L, "Viernes Verde", 7L));

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          var response = client.get("/api/standings");
          assertThat(response.code()).isEqualTo(200);
          JsonNode standings = json(response).get("standings");
          assertThat(standings.findValuesAsText("band"))
              .containsExactly(TREBOL, "Viernes Verde", "Alux Nahual", "Bohemia Suburbana");
          assertThat(standings.findValues("total")).extracting(JsonNode::asLong).containsExactly(12L, 7L, 3L, 3L);
        });
  }

  @Test
  void noVotesYetIsAnEmptyList() {
    JavalinTest.test(
        app.create(),
        (server, client) -> {
          var response = client.get("/api/standings");
          assertThat(response.code()).isEqualTo(200);
          assertThat(json(response).get("standings")).isEmpty();
        });
  }

  @Test
  void queriesAre503WithRetryAfterWhileAStoreOrItsOwnerCannotAnswer() {
    cluster.failure = "store band-totals is not queryable while the instance is PENDING_SHUTDOWN";

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          for (String path :
              List.of("/api/standings", "/api/leaderboard", "/api/stats", "/api/bands/X/albums", "/api/bands/X/timeline")) {
            var response = client.get(path);
            assertThat(response.code()).as(path).isEqualTo(503);
            assertThat(response.headers().get("Retry-After")).containsExactly("1");
            assertThat(response.headers().get("Content-Type").get(0)).startsWith("application/problem+json");
            JsonNode problem = json(response);
            assertThat(problem.get("status").asInt()).isEqualTo(503);
            assertThat(problem.get("detail").asText()).contains("PENDING_SHUTDOWN");
          }
        });
  }

  @Test
  void queriesAre503WhileRebalancingEvenIfAStoreWouldAnswer() {
    cluster.totals.put(TREBOL, 1L);
    state.set(KafkaStreams.State.REBALANCING);

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          var response = client.get("/api/standings");
          assertThat(response.code()).isEqualTo(503);
          assertThat(response.headers().get("Retry-After")).containsExactly("1");
          assertThat(json(response).get("detail").asText()).contains("REBALANCING");
        });
  }

  @Test
  void theLeaderboardShowsTheConfiguredSizeByDefaultAndSharesRanksOnTies() {
    cluster.totals.putAll(Map.of("A", 5L, "B", 9L, "C", 5L, "D", 1L, "E", 5L));

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          JsonNode board = json(client.get("/api/leaderboard"));
          assertThat(board.get("size").asInt()).isEqualTo(3);
          assertThat(board.get("leaderboard").findValuesAsText("band")).containsExactly("B", "A", "C");
          assertThat(board.get("leaderboard").findValues("rank")).extracting(JsonNode::asInt).containsExactly(1, 2, 2);

          JsonNode five = json(client.get("/api/leaderboard?n=5"));
          assertThat(five.get("leaderboard").findValues("rank"))
              .extracting(JsonNode::asInt)
              .containsExactly(1, 2, 2, 2, 5);

          JsonNode more = json(client.get("/api/leaderboard?n=50"));
          assertThat(more.get("leaderboard")).hasSize(5);

          for (String bad : List.of("0", "-1", "1001", "ten")) {
            var response = client.get("/api/leaderboard?n=" + bad);
            assertThat(response.code()).as(bad).isEqualTo(400);
            assertThat(json(response).get("detail").asText()).startsWith("n:");
          }
        });
  }

  @Test
  void aBandsAlbumsComeMostVotedFirstWithTheirRankStatistics() {
    cluster.albums.put(
        TREBOL,
        List.of(
            new AlbumTally(TREBOL, "Resaca", 2, 150, 60, 90),
            new AlbumTally(TREBOL, "Crónicas de Mercado", 3, 30, 5, 20)));

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          var response = client.get("/api/bands/" + PeerClient.segment(TREBOL) + "/albums");
          assertThat(response.code()).isEqualTo(200);
          JsonNode body = json(response);
          assertThat(body.get("band").asText()).isEqualTo(TREBOL);
          JsonNode albums = body.get("albums");
          assertThat(albums.findValuesAsText("album")).containsExactly("Crónicas de Mercado", "Resaca");
          assertThat(albums.get(1).get("count").asLong()).isEqualTo(2);
          assertThat(albums.get(1).get("rankSum").asLong()).isEqualTo(150);
          assertThat(albums.get(1).get("rankMin").asInt()).isEqualTo(60);
          assertThat(albums.get(1).get("rankMax").asInt()).isEqualTo(90);
          assertThat(albums.get(1).get("rankAverage").asDouble()).isEqualTo(75.0);

          // Without a catalog, a band without votes is just empty.
          assertThat(json(client.get("/api/bands/Nadie/albums")).get("albums")).isEmpty();
        });
  }

  @Test
  void withACatalogPathNamesAreMatchedLikeVotesAndUnknownBandsAre404() {
    cluster.albums.put(TREBOL, List.of(new AlbumTally(TREBOL, "Resaca", 1, 50, 50, 50)));
    Catalog catalog =
        new Catalog("c", List.of(new Catalog.Band(TREBOL, List.of(new Catalog.Album("Resaca", 2002)))));

    JavalinTest.test(
        app(catalog).create(),
        (server, client) -> {
          var response =
              client.get("/api/bands/" + PeerClient.segment(" malacates TRE\u0301BOL shop") + "/albums");
          assertThat(response.code()).isEqualTo(200);
          assertThat(json(response).get("band").asText()).isEqualTo(TREBOL);
          assertThat(json(response).get("albums")).hasSize(1);

          var unknown = client.get("/api/bands/Nadie/timeline");
          assertThat(unknown.code()).isEqualTo(404);
          assertThat(unknown.headers().get("Content-Type").get(0)).startsWith("application/problem+json");
          assertThat(json(unknown).get("detail").asText()).contains("Nadie");
        });
  }

  @Test
  void theTimelineTakesIsoOrEpochBoundsAndDefaultsToTheLastHour() {
    long minute = Instant.parse("2026-11-26T18:00:00Z").toEpochMilli();
    cluster.minutes.put(
        TREBOL,
        List.of(new TallyQueries.MinuteCount(minute + 60_000, 4), new TallyQueries.MinuteCount(minute, 2)));

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          String path = "/api/bands/" + PeerClient.segment(TREBOL) + "/timeline";
          JsonNode body = json(client.get(path + "?from=2026-11-26T18:00:30Z&to=" + (minute + 120_000)));
          assertThat(body.get("band").asText()).isEqualTo(TREBOL);
          assertThat(body.get("from").asText()).isEqualTo("2026-11-26T18:00:30Z");
          assertThat(body.get("to").asText()).isEqualTo("2026-11-26T18:02:00Z");
          assertThat(body.get("minutes").findValues("minuteStart"))
              .extracting(JsonNode::asLong)
              .containsExactly(minute, minute + 60_000);
          assertThat(body.get("minutes").get(0).get("start").asText()).isEqualTo("2026-11-26T18:00:00Z");
          assertThat(body.get("minutes").findValues("count")).extracting(JsonNode::asLong).containsExactly(2L, 4L);
          // A mid-minute "from" keeps its minute.
          assertThat(cluster.lastRange).containsExactly(minute, minute + 120_000);

          json(client.get(path + "?from=2026-11-26T19:00:00%2B01:00"));
          assertThat(cluster.lastRange[0]).isEqualTo(minute);
          assertThat(cluster.lastRange[1]).isEqualTo(NOW.toEpochMilli());
          json(client.get(path + "?from=2026-11-26T19:00:00+01:00")); // "+" unencoded: a space
          assertThat(cluster.lastRange[0]).isEqualTo(minute);

          json(client.get(path));
          assertThat(cluster.lastRange)
              .containsExactly(
                  Instant.parse("2026-11-26T17:30:00Z").toEpochMilli(), NOW.toEpochMilli());

          var backwards = client.get(path + "?from=" + (minute + 1) + "&to=" + minute);
          assertThat(backwards.code()).isEqualTo(400);
          assertThat(json(backwards).get("detail").asText()).startsWith("from:");
          var garbage = client.get(path + "?to=yesterday");
          assertThat(garbage.code()).isEqualTo(400);
          assertThat(json(garbage).get("detail").asText()).startsWith("to:");
        });
  }

  @Test
  void statsGroupRejectionsByReason() {
    cluster.stats.putAll(
        Map.of("accepted", 10L, "duplicates", 2L, "rejected", 3L, "rejected.late", 1L, "rejected.invalid", 2L));

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          JsonNode stats = json(client.get("/api/stats"));
          assertThat(stats.get("accepted").asLong()).isEqualTo(10);
          assertThat(stats.get("duplicates").asLong()).isEqualTo(2);
          assertThat(stats.get("rejected").asLong()).isEqualTo(3);
          assertThat(stats.get("rejectedByReason").get("late").asLong()).isEqualTo(1);
          assertThat(stats.get("rejectedByReason").get("invalid").asLong()).isEqualTo(2);
        });
  }

  @Test
  void aForwardedRequestIsAnsweredFromThisInstanceOnly() {
    cluster.totals.put("everyone", 100L);
    owned.totals.put("mine", 1L);

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          var response =
              client.get("/api/standings", req -> req.header(PeerClient.FORWARDED_HEADER, "other:8081"));
          assertThat(json(response).get("standings").findValuesAsText("band")).containsExactly("mine");
        });
  }

  @Test
  void aPeerReadsBackExactlyWhatAnInstanceAnswersAndMarksItsRequestsForwarded() {
    owned.totals.putAll(Map.of(TREBOL, 7L, "Alux Nahual", 2L));
    owned.albums.put(TREBOL, List.of(new AlbumTally(TREBOL, "Resaca", 3, 200, 40, 90)));
    owned.minutes.put(TREBOL, List.of(new TallyQueries.MinuteCount(60_000, 3)));
    owned.stats.putAll(Map.of("accepted", 9L, "rejected", 1L, "rejected.late", 1L));
    cluster.failure = "a forwarded request must not be routed again";

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          HostInfo peer = new HostInfo("localhost", server.port());
          PeerClient peers = new PeerClient("me:1", Duration.ofSeconds(2));

          assertThat(peers.bandTotals(peer).get(5, TimeUnit.SECONDS)).isEqualTo(owned.totals);
          assertThat(peers.albums(peer, TREBOL).get(5, TimeUnit.SECONDS)).isEqualTo(owned.albums.get(TREBOL));
          assertThat(peers.timeline(peer, TREBOL, 0, 120_000).get(5, TimeUnit.SECONDS))
              .isEqualTo(owned.minutes.get(TREBOL));
          assertThat(owned.lastRange).containsExactly(0L, 120_000L);
          assertThat(peers.stats(peer).get(5, TimeUnit.SECONDS))
              .containsEntry("accepted", 9L)
              .containsEntry("rejected", 1L)
              .containsEntry("rejected.late", 1L)
              .containsEntry("duplicates", 0L);

          owned.failure = "REBALANCING";
          assertThatThrownBy(() -> peers.bandTotals(peer).join())
              .isInstanceOf(CompletionException.class)
              .hasCauseInstanceOf(StoreUnavailableException.class)
              .hasMessageContaining("503");
        });
  }

  @Test
  void anUnreachablePeerIsUnavailableNotAnError() {
    PeerClient peers = new PeerClient("me:1", Duration.ofMillis(500));
    // Port 1 on localhost: nothing listens there.
    assertThatThrownBy(() -> peers.stats(new HostInfo("localhost", 1)).join())
        .hasCauseInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("did not answer");
  }

  @Test
  void readyOnlyWhileRunning() {
    JavalinTest.test(
        app.create(),
        (server, client) -> {
          var ready = client.get("/readyz");
          assertThat(ready.code()).isEqualTo(200);
          assertThat(json(ready).get("state").asText()).isEqualTo("RUNNING");

          state.set(KafkaStreams.State.REBALANCING);
          var rebalancing = client.get("/readyz");
          assertThat(rebalancing.code()).isEqualTo(503);
          JsonNode body = json(rebalancing);
          assertThat(body.get("status").asText()).isEqualTo("not ready");
          assertThat(body.get("state").asText()).isEqualTo("REBALANCING");

          state.set(KafkaStreams.State.CREATED);
          assertThat(client.get("/readyz").code()).isEqualTo(503);
        });
  }

  @Test
  void liveUntilTheClientIsInError() {
    state.set(KafkaStreams.State.REBALANCING);
    JavalinTest.test(
        app.create(),
        (server, client) -> {
          var live = client.get("/healthz");
          assertThat(live.code()).isEqualTo(200);
          assertThat(live.body().string()).isEqualTo("ok");

          state.set(KafkaStreams.State.ERROR);
          var dead = client.get("/healthz");
          assertThat(dead.code()).isEqualTo(503);
          assertThat(dead.body().string()).contains("ERROR");
        });
  }

  @Test
  void metricsAreInPrometheusTextFormat() {
    Counter.builder(StreamsMain.DUPLICATES_METER).register(registry).increment(3);

    JavalinTest.test(
        app.create(),
        (server, client) -> {
          var response = client.get("/metrics");
          assertThat(response.code()).isEqualTo(200);
          assertThat(response.headers().get("Content-Type").get(0)).startsWith("text/plain");
          assertThat(response.body().string()).contains("quetzal_votes_duplicates_total 3.0");
        });
  }

  @Test
  void pathSegmentsArePercentEncodedAsUtf8() {
    assertThat(PeerClient.segment("Trébol Shop/2")).isEqualTo("Tr%C3%A9bol%20Shop%2F2");
    assertThat(PeerClient.segment("a-Z_0.~")).isEqualTo("a-Z_0.~");
  }

  private static JsonNode json(io.javalin.testtools.Response response) throws Exception {
    return Json.MAPPER.readTree(response.body().string());
  }

  /** Tallies from maps; {@link #failure} makes every query unavailable. */
  static final class FakeTallies implements TallyQueries {
    final Map<String, Long> totals = new HashMap<>();
    final Map<String, List<AlbumTally>> albums = new HashMap<>();
    final Map<String, List<MinuteCount>> minutes = new HashMap<>();
    final Map<String, Long> stats = new HashMap<>();
    volatile String failure;
    volatile long[] lastRange;

    private void check() {
      if (failure != null) {
        throw new StoreUnavailableException(failure, null);
      }
    }

    @Override
    public Map<String, Long> bandTotals() {
      check();
      return totals;
    }

    @Override
    public List<AlbumTally> albums(String band) {
      check();
      return albums.getOrDefault(band, List.of());
    }

    @Override
    public List<MinuteCount> timeline(String band, long fromMs, long toMs) {
      check();
      lastRange = new long[] {fromMs, toMs};
      return new ArrayList<>(minutes.getOrDefault(band, List.of()));
    }

    @Override
    public Map<String, Long> stats() {
      check();
      return stats;
    }
  }
}
