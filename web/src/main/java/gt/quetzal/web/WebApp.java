package gt.quetzal.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.VoteEvent;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contest page and the JSON API behind it. Reads only the serving stores, through the two readers.
 *
 * <ul>
 *   <li>{@code GET /} — the live page (static files from {@code /public} on the classpath; no CDN)
 *   <li>{@code GET /api/standings} — {@code {"bands":[{"name","total","share"}…], "total", "updatedAt"}},
 *       highest total first; {@code updatedAt} is epoch millis of the sinks' last write, or null
 *   <li>{@code GET /api/votes?limit=20} — {@code {"votes":[VoteEvent…]}}, newest first, limit 1..100
 *   <li>{@code /healthz}, {@code /readyz}, {@code /metrics}
 * </ul>
 *
 * A store that cannot answer gives 503 {@code application/problem+json} with {@code "backend"} set to
 * {@code redis} or {@code mongo}, and a Retry-After hint.
 */
public final class WebApp {

  private static final Logger log = LoggerFactory.getLogger(WebApp.class);

  static final String REDIS = "redis";
  static final String MONGO = "mongo";
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private static final String PROBLEM_JSON = "application/problem+json";
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** Everything is served from this origin; scripts and styles only from files, never inline. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
          + "frame-ancestors 'none'; form-action 'self'";

  private final StandingsReader standings;
  private final VoteLogReader votes;
  private final PrometheusMeterRegistry registry;
  private final Counter redisErrors;
  private final Counter mongoErrors;

  public WebApp(StandingsReader standings, VoteLogReader votes) {
    this(standings, votes, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public WebApp(StandingsReader standings, VoteLogReader votes, PrometheusMeterRegistry registry) {
    this.standings = Objects.requireNonNull(standings, "standings");
    this.votes = Objects.requireNonNull(votes, "votes");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.redisErrors = backendErrors(REDIS);
    this.mongoErrors = backendErrors(MONGO);
  }

  private Counter backendErrors(String backend) {
    return Counter.builder("quetzal.web.backend.errors")
        .description("Requests that failed because a serving store could not answer")
        .tag("backend", backend)
        .register(registry);
  }

  /** An unstarted app. */
  public Javalin create() {
    return Javalin.create(
        cfg -> {
          cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
          cfg.startup.showJavalinBanner = false;
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
          cfg.routes.before(WebApp::securityHeaders);
          cfg.routes.get("/api/standings", this::standings);
          cfg.routes.get("/api/votes", this::votes);
          cfg.routes.get("/healthz", ctx -> ctx.result("ok"));
          cfg.routes.get("/readyz", this::ready);
          cfg.routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
          cfg.routes.exception(BackendUnavailableException.class, WebApp::backendUnavailable);
        });
  }

  private static void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
  }

  private void standings(Context ctx) {
    Standings body = Standings.of(call(REDIS, redisErrors, standings::read));
    ctx.header("Cache-Control", "no-store").json(body);
  }

  private void votes(Context ctx) throws JsonProcessingException {
    String raw = ctx.queryParam("limit");
    int limit = DEFAULT_LIMIT;
    if (raw != null) {
      try {
        limit = Integer.parseInt(raw.trim());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        Map<String, Object> problem =
            problem(400, "Bad Request", "limit debe ser un entero entre 1 y " + MAX_LIMIT + ".");
        problem.put("param", "limit");
        ctx.status(400).contentType(PROBLEM_JSON).result(Json.MAPPER.writeValueAsString(problem));
        return;
      }
    }
    int n = limit;
    List<VoteEvent> newest = call(MONGO, mongoErrors, () -> votes.newest(n));
    ctx.header("Cache-Control", "no-store").json(Map.of("votes", newest));
  }

  private void ready(Context ctx) {
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
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", reasons.isEmpty() ? "ready" : "not ready");
    body.put("reasons", reasons);
    ctx.status(reasons.isEmpty() ? 200 : 503).json(body);
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

  private static void backendUnavailable(BackendUnavailableException e, Context ctx) {
    String store = REDIS.equals(e.backend()) ? "Redis" : "MongoDB";
    Map<String, Object> problem =
        problem(503, "Service Unavailable", store + " no responde; reintente en unos segundos.");
    problem.put("backend", e.backend());
    try {
      ctx.status(503)
          .header("Retry-After", "2")
          .header("Cache-Control", "no-store")
          .contentType(PROBLEM_JSON)
          .result(Json.MAPPER.writeValueAsString(problem));
    } catch (JsonProcessingException impossible) {
      ctx.status(503).result(store + " unavailable");
    }
  }

  /** RFC 9457 problem details; {@code about:blank} because the status code says it all. */
  private static Map<String, Object> problem(int status, String title, String detail) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", "about:blank");
    problem.put("title", title);
    problem.put("status", status);
    problem.put("detail", detail);
    return problem;
  }
}
