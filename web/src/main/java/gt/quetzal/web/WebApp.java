package gt.quetzal.web;

import static gt.quetzal.web.QueryParams.cursorParam;
import static gt.quetzal.web.QueryParams.intParam;
import static gt.quetzal.web.QueryParams.longParam;
import static gt.quetzal.web.QueryParams.optionalName;
import static gt.quetzal.web.QueryParams.requiredName;

import gt.quetzal.contract.Json;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.kit.Health;
import gt.quetzal.kit.OpsEndpoints;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contest page and the JSON API behind it. Reads only the serving stores, through the readers;
 * the full reference with every shape is {@code docs/web-api.md}.
 *
 * <ul>
 *   <li>{@code GET /} — the live page (static files from {@code /public} on the classpath; no CDN)
 *   <li>{@code GET /api/events} — SSE: {@code snapshot} and {@code problem} events (see {@link LiveHub});
 *       capped per client address (429) and in total (503), see {@link SseClients}
 *   <li>{@code GET /api/standings}, {@code /api/stats}, {@code /api/albums?band=},
 *       {@code /api/timeline?band=&minutes=&to=} — Redis
 *   <li>{@code GET /api/votes?limit=&band=&before=}, {@code /api/votes/{voteId}},
 *       {@code /api/rejected?limit=&reason=&before=} — MongoDB, newest first, keyset paging
 *   <li>{@code /healthz}, {@code /readyz}, {@code /metrics} — on the same port, or alone on OPS_PORT
 *       when it is set ({@link #createPublic()} and {@link #createOps()})
 * </ul>
 *
 * A store that cannot answer gives 503 {@code application/problem+json} with {@code "backend"} set to
 * {@code redis} or {@code mongo}, and a Retry-After hint. A bad parameter gives 400 naming it in
 * {@code "param"}; an unknown vote 404.
 */
public final class WebApp {

  private static final Logger log = LoggerFactory.getLogger(WebApp.class);

  static final String REDIS = "redis";
  static final String MONGO = "mongo";
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  static final int DEFAULT_MINUTES = 30;
  static final int MAX_MINUTES = 1_440;
  static final long MINUTE_MS = 60_000;
  /** Reasons are machine-readable tokens such as {@code unknown-band}. */
  private static final Pattern REASON = Pattern.compile("[A-Za-z0-9._-]{1,64}");


  /** Everything is served from this origin; scripts and styles only from files, never inline. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
          + "frame-ancestors 'none'; form-action 'self'";

  private final StandingsReader standings;
  private final TimelineReader timelines;
  private final VoteLogReader votes;
  private final LiveHub live;
  private final PrometheusMeterRegistry registry;
  private final Counter redisErrors;
  private final Counter mongoErrors;

  /**
   * The standings come through the hub's reader and "now" from its clock, so the page's JSON and the
   * pushed stream read the same store and feed one votes/s meter on one clock.
   */
  public WebApp(TimelineReader timelines, VoteLogReader votes, LiveHub live, PrometheusMeterRegistry registry) {
    this.live = Objects.requireNonNull(live, "live");
    this.standings = live.reader();
    this.timelines = Objects.requireNonNull(timelines, "timelines");
    this.votes = Objects.requireNonNull(votes, "votes");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.redisErrors = backendErrors(REDIS);
    this.mongoErrors = backendErrors(MONGO);
  }

  /** A registry of its own; for tests. */
  static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  private Counter backendErrors(String backend) {
    return Counter.builder("quetzal.web.backend.errors")
        .description("Requests that failed because a serving store could not answer")
        .tag("backend", backend)
        .register(registry);
  }

  /** An unstarted app serving everything on one port: the page, its API and the operational endpoints. */
  public Javalin create() {
    return create(true, true);
  }

  /**
   * The page and its API only, for a public port behind the Ingress: no {@code /metrics}, no probes
   * (they move to {@link #createOps()}, on OPS_PORT).
   */
  public Javalin createPublic() {
    return create(true, false);
  }

  /** Only {@code /healthz}, {@code /readyz} and {@code /metrics}, for an internal port the Ingress does not route. */
  public Javalin createOps() {
    return create(false, true);
  }

  private Javalin create(boolean publicRoutes, boolean opsRoutes) {
    return Javalin.create(
        cfg -> {
          cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
          cfg.startup.showJavalinBanner = false;
          if (publicRoutes) {
            cfg.staticFiles.add(
                files -> {
                  files.hostedPath = "/";
                  files.directory = "/public";
                  files.location = Location.CLASSPATH;
                  // Explicit charset: the page and its script carry accented Spanish text.
                  files.mimeTypes.add("text/html; charset=utf-8", "html");
                  files.mimeTypes.add("text/javascript; charset=utf-8", "js");
                  files.mimeTypes.add("text/css; charset=utf-8", "css");
                });
          }
          cfg.routes.before(WebApp::securityHeaders);
          if (publicRoutes) {
            cfg.routes.get("/api/events", live::serve);
            cfg.routes.get("/api/standings", this::standings);
            cfg.routes.get("/api/stats", this::stats);
            cfg.routes.get("/api/albums", this::albums);
            cfg.routes.get("/api/timeline", this::timeline);
            cfg.routes.get("/api/votes", this::votes);
            cfg.routes.get("/api/votes/{voteId}", this::vote);
            cfg.routes.get("/api/rejected", this::rejected);
          }
          if (opsRoutes) {
            OpsEndpoints.of(registry, () -> Health.OK, this::readiness).addTo(cfg);
          }
          cfg.routes.exception(BackendUnavailableException.class, ApiProblem::answerUnavailable);
          cfg.routes.exception(ApiProblem.class, ApiProblem::answer);
        });
  }

  private static void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
  }

  private void standings(Context ctx) {
    Standings body = Standings.of(call(REDIS, redisErrors, standings::read));
    noStore(ctx).json(body);
  }

  private void stats(Context ctx) {
    StandingsReader.Snapshot snapshot = call(REDIS, redisErrors, standings::read);
    long now = live.now();
    VoteRate rate = live.rate();
    rate.record(now, ContestStats.accepted(snapshot));
    noStore(ctx).json(ContestStats.of(snapshot, rate.perSecond(now)));
  }

  private void albums(Context ctx) {
    String band = requiredName(ctx, "band");
    StandingsReader.Snapshot snapshot = call(REDIS, redisErrors, standings::read);
    List<AlbumStat> ofBand = snapshot.albums().stream().filter(a -> a.band().equals(band)).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("band", band);
    body.put("albums", Standings.albumsOf(ofBand));
    noStore(ctx).json(body);
  }

  private void timeline(Context ctx) {
    String band = optionalName(ctx, "band");
    int minutes = intParam(ctx, "minutes", DEFAULT_MINUTES, 1, MAX_MINUTES);
    long to = longParam(ctx, "to", live.now(), 0, Long.MAX_VALUE / 2);
    long last = Math.floorDiv(to, MINUTE_MS) * MINUTE_MS;
    List<Long> minuteStarts = new ArrayList<>(minutes);
    for (int i = minutes - 1; i >= 0; i--) {
      minuteStarts.add(last - i * MINUTE_MS);
    }
    Map<Long, Long> counts;
    if (band != null) {
      counts = call(REDIS, redisErrors, () -> timelines.band(band, minuteStarts));
    } else {
      counts = new LinkedHashMap<>();
      for (Long minute : minuteStarts) {
        counts.put(minute, 0L);
      }
      for (Map<Long, Long> one : call(REDIS, redisErrors, () -> timelines.allBands(minuteStarts)).values()) {
        one.forEach((minute, count) -> counts.merge(minute, count, Long::sum));
      }
    }
    List<Map<String, Object>> points = new ArrayList<>(minutes);
    for (Long minute : minuteStarts) {
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("minute", minute);
      point.put("count", counts.getOrDefault(minute, 0L));
      points.add(point);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("band", band);
    body.put("minutes", minutes);
    body.put("from", minuteStarts.get(0));
    body.put("to", last);
    body.put("points", points);
    noStore(ctx).json(body);
  }

  private void votes(Context ctx) {
    int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String band = optionalName(ctx, "band");
    LogCursor before = cursorParam(ctx, "before");
    LogPage<VoteEvent> page = call(MONGO, mongoErrors, () -> votes.votes(band, before, limit));
    noStore(ctx).json(pageBody("votes", page));
  }

  private void vote(Context ctx) {
    String voteId = ctx.pathParam("voteId");
    if (voteId.isBlank() || voteId.length() > LogCursor.MAX_ID_LENGTH) {
      throw ApiProblem.badParam("voteId", "voteId debe tener entre 1 y " + LogCursor.MAX_ID_LENGTH + " caracteres.");
    }
    VoteEvent vote =
        call(MONGO, mongoErrors, () -> votes.vote(voteId))
            .orElseThrow(() -> ApiProblem.notFound("No hay ningún voto con voteId " + voteId + "."));
    noStore(ctx).json(vote);
  }

  private void rejected(Context ctx) {
    int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String reason = ctx.queryParam("reason");
    if (reason != null && !REASON.matcher(reason).matches()) {
      throw ApiProblem.badParam("reason", "reason debe ser un código de 1 a 64 letras, dígitos, '.', '_' o '-'.");
    }
    LogCursor before = cursorParam(ctx, "before");
    LogPage<RejectedEntry> page = call(MONGO, mongoErrors, () -> votes.rejected(reason, before, limit));
    noStore(ctx).json(pageBody("rejected", page));
  }

  private static Map<String, Object> pageBody(String name, LogPage<?> page) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(name, page.items());
    body.put("next", page.next() == null ? null : page.next().toString());
    return body;
  }

  static Context noStore(Context ctx) {
    return ctx.header("Cache-Control", "no-store");
  }

  /** Ready while both serving stores answer a ping; live regardless (an outage is not a crash). */
  private Health readiness() {
    List<String> reasons = new ArrayList<>();
    try {
      standings.ping();
    } catch (RuntimeException e) {
      reasons.add("redis is unreachable");
    }
    try {
      votes.ping();
    } catch (RuntimeException e) {
      reasons.add("mongo is unreachable");
    }
    return Health.of(reasons);
  }

  /**
   * Runs a reader call; any failure means that store cannot answer now. A reader has no other job than
   * talking to its store, so even an unexpected exception is reported as that backend being unavailable.
   * Logged per request without a stack trace (an outage would flood the log); DEBUG shows the trace.
   */
  private static <T> T call(String backend, Counter errors, Supplier<T> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      errors.increment();
      log.warn("{} read failed: {}", backend, e.toString());
      log.debug("{} read failure", backend, e);
      throw new BackendUnavailableException(backend, e);
    }
  }
}
