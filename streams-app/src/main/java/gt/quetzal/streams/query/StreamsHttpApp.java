package gt.quetzal.streams.query;

import gt.quetzal.streams.topology.TopologyOptions;

import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.contract.Json;
import gt.quetzal.kit.Health;
import gt.quetzal.kit.OpsEndpoints;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The streams app's HTTP side: health from {@link KafkaStreams.State}, Prometheus metrics, and
 * interactive queries answered for the whole application (see {@link RoutingTallies}).
 *
 * <p>Everything here is operational and internal: this port (HTTP_PORT) is never routed by the
 * Ingress, and on Kubernetes only other streams-app instances (query forwarding) and the kubelet's
 * probes reach it. The public page reads the serving stores through the web app instead.
 *
 * <ul>
 *   <li>{@code GET /healthz}, {@code /readyz}, {@code /metrics} as on every service ({@link
 *       OpsEndpoints}): dead once the client is in ERROR (it never leaves that state by itself, so the
 *       process should be restarted); ready only while RUNNING; both answers carry the {@code state};
 *   <li>{@code GET /api/standings}: {@code {"standings":[{"band","total"}]}}, highest total first,
 *       ties by name;
 *   <li>{@code GET /api/leaderboard?n=}: {@code {"size","leaderboard":[{"rank","band","total"}]}},
 *       the first n bands (default LEADERBOARD_SIZE), equal totals sharing a rank;
 *   <li>{@code GET /api/bands/{band}/albums}: {@code {"band","albums":[{"album","count","rankSum",
 *       "rankMin","rankMax","rankAverage"}]}}, most votes first;
 *   <li>{@code GET /api/bands/{band}/timeline?from=&to=}: {@code {"band","from","to","minutes":
 *       [{"minuteStart","start","count"}]}}, the minutes with votes whose window starts in [from,
 *       to], oldest first. {@code from} and {@code to} are ISO-8601 instants or epoch millis;
 *       defaults: the last hour;
 *   <li>{@code GET /api/stats}: {@code {"accepted","duplicates","rejected","rejectedByReason":{}}}.
 * </ul>
 *
 * <p>A band in a path is matched like a vote (trimmed, NFC; with a catalog also case-folded, and
 * answered under the catalog's spelling); a band the catalog does not know is 404. Bad parameters
 * are 400. While the instance is not RUNNING, or a store or the owning instance cannot answer, the
 * answer is 503 problem+json with {@code Retry-After}. A request carrying {@value
 * PeerClient#FORWARDED_HEADER} comes from another instance and is answered from local stores only.
 */
public final class StreamsHttpApp {

  static final Duration DEFAULT_TIMELINE_SPAN = Duration.ofHours(1);
  private static final String PROBLEM_JSON = "application/problem+json";
  private static final String RETRY_AFTER_SECONDS = "1";
  private static final Pattern EPOCH_MILLIS = Pattern.compile("-?\\d{1,19}");

  private final Supplier<KafkaStreams.State> state;
  private final TallyQueries cluster;
  private final TallyQueries owned;
  private final Function<String, Optional<String>> bands;
  private final int leaderboardSize;
  private final Clock clock;
  private final PrometheusMeterRegistry registry;

  /**
   * @param cluster         answers for the whole application
   * @param owned           answers from this instance only, for forwarded requests
   * @param bands           a band name as typed to its canonical name, empty when unknown
   * @param leaderboardSize the leaderboard's default N
   */
  public StreamsHttpApp(
      Supplier<KafkaStreams.State> state,
      TallyQueries cluster,
      TallyQueries owned,
      Function<String, Optional<String>> bands,
      int leaderboardSize,
      Clock clock,
      PrometheusMeterRegistry registry) {
    this.state = state;
    this.cluster = cluster;
    this.owned = owned;
    this.bands = bands;
    this.leaderboardSize = leaderboardSize;
    this.clock = clock;
    this.registry = registry;
  }

  /** How query paths match band names: like votes, against the contest as it is now. */
  public static Function<String, Optional<String>> bandLookup(Supplier<CatalogIndex> contest) {
    return name -> contest.get().band(name);
  }

  /** A Javalin app with every route declared, not yet started. */
  public Javalin create() {
    return Javalin.create(
        cfg -> {
          cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
          OpsEndpoints.of(registry, this::liveness, this::readiness).addTo(cfg);
          cfg.routes.get(
              "/api/standings",
              api(ctx -> answer(ctx, q -> QueryViews.Standings.of(q.bandTotals()))));
          cfg.routes.get("/api/leaderboard", api(this::leaderboard));
          cfg.routes.get(
              "/api/bands/{band}/albums",
              api(
                  ctx -> {
                    String band = band(ctx);
                    answer(ctx, q -> QueryViews.Albums.of(band, q.albums(band)));
                  }));
          cfg.routes.get("/api/bands/{band}/timeline", api(this::timeline));
          cfg.routes.get(
              "/api/stats", api(ctx -> answer(ctx, q -> QueryViews.StatsView.of(q.stats()))));
        });
  }

  /** A request the client must change: 400 or 404 with a problem body. */
  static final class ClientError extends RuntimeException {
    private final int status;
    private final String title;

    ClientError(int status, String title, String detail) {
      super(detail);
      this.status = status;
      this.title = title;
    }
  }

  /** Turns a {@link ClientError} thrown while reading the request into its problem response. */
  private static Handler api(Handler handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (ClientError e) {
        problem(ctx, e);
      }
    };
  }

  /** Dead only in ERROR: the client never leaves it by itself, so a restart is what helps. */
  private Health liveness() {
    KafkaStreams.State current = state.get();
    Health health =
        current == KafkaStreams.State.ERROR || current == KafkaStreams.State.PENDING_ERROR
            ? Health.down("the Kafka Streams client is in " + current)
            : Health.OK;
    return health.with("state", current.name());
  }

  private Health readiness() {
    KafkaStreams.State current = state.get();
    Health health =
        current == KafkaStreams.State.RUNNING
            ? Health.OK
            : Health.down("the Kafka Streams client is " + current + ", not RUNNING");
    return health.with("state", current.name());
  }

  private void leaderboard(Context ctx) {
    String requested = ctx.queryParam("n");
    int size = leaderboardSize;
    if (requested != null) {
      try {
        size = Integer.parseInt(requested.strip());
      } catch (NumberFormatException e) {
        size = -1;
      }
      if (size < 1 || size > TallyQueries.MAX_LEADERBOARD_SIZE) {
        throw new ClientError(
            400, "Bad parameter",
            "n: must be an integer between 1 and " + TallyQueries.MAX_LEADERBOARD_SIZE
                + ", was " + requested);
      }
    }
    int n = size;
    answer(ctx, q -> QueryViews.Leaderboard.of(QueryViews.Standings.of(q.bandTotals()), n));
  }

  private void timeline(Context ctx) {
    String band = band(ctx);
    long to = instant(ctx.queryParam("to"), "to", clock.millis());
    long from = instant(ctx.queryParam("from"), "from", to - DEFAULT_TIMELINE_SPAN.toMillis());
    if (from > to) {
      throw new ClientError(400, "Bad parameter", "from: must not be after to");
    }
    // A window is listed when it starts in the range, so a mid-minute "from" keeps its minute.
    long fromMinute = TopologyOptions.windowStart(from);
    answer(ctx, q -> QueryViews.Timeline.of(band, from, to, q.timeline(band, fromMinute, to)));
  }

  /** Runs a query against the right view and writes the answer or the problem. */
  private void answer(Context ctx, Function<TallyQueries, Object> query) {
    KafkaStreams.State current = state.get();
    if (current != KafkaStreams.State.RUNNING) {
      unavailable(ctx, "the instance is " + current + "; its stores cannot be queried yet");
      return;
    }
    boolean forwarded = ctx.header(PeerClient.FORWARDED_HEADER) != null;
    try {
      ctx.json(query.apply(forwarded ? owned : cluster));
    } catch (StoreUnavailableException e) {
      unavailable(ctx, e.getMessage());
    }
  }

  private String band(Context ctx) {
    String typed = ctx.pathParam("band");
    return bands
        .apply(typed)
        .orElseThrow(
            () -> new ClientError(404, "Unknown band", "band: \"" + typed + "\" is not in the contest"));
  }

  private static long instant(String value, String name, long fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    // An unencoded "+01:00" arrives as " 01:00"; a space cannot otherwise occur in an instant.
    String text = value.strip().replace(' ', '+');
    try {
      if (EPOCH_MILLIS.matcher(text).matches()) {
        return Long.parseLong(text);
      }
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeException e) {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      }
    } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
      throw new ClientError(
          400, "Bad parameter",
          name + ": expected an ISO-8601 instant (2026-11-26T18:00:00Z) or epoch millis, was " + value);
    }
  }

  private static void unavailable(Context ctx, String detail) {
    ctx.status(503)
        .header("Retry-After", RETRY_AFTER_SECONDS)
        .json(new QueryViews.Problem("about:blank", "Tallies are not available right now", 503, detail))
        .contentType(PROBLEM_JSON);
  }

  private static void problem(Context ctx, ClientError error) {
    ctx.status(error.status)
        .json(new QueryViews.Problem("about:blank", error.title, error.status, error.getMessage()))
        .contentType(PROBLEM_JSON);
  }
}
