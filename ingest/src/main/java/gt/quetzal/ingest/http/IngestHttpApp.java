package gt.quetzal.ingest.http;

import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.ClientRateLimit;
import gt.quetzal.ingest.core.OpsHttpApp;
import gt.quetzal.ingest.core.VoteCaster;
import gt.quetzal.ingest.core.VoteCounters;
import gt.quetzal.ingest.core.VotePublisher;
import gt.quetzal.ingest.core.VoteValidator;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front door: {@code POST /votes} and {@code POST /votes/batch} ({@link VoteRoutes}), plus
 * {@code /healthz}, {@code /readyz} and {@code /metrics} ({@code /metrics} only when no OPS_PORT is
 * set; with one it is served there by {@link gt.quetzal.ingest.core.OpsHttpApp}). This class builds
 * the server: Jetty's limits and graceful stop, the routes, request timing and the error mapping.
 *
 * <h2>Errors</h2>
 *
 * Every error is RFC 9457 {@code application/problem+json}: {@code {type, title, status, detail,
 * errors:[{field, message, code}]}}; see {@link Problem}.
 *
 * <h2>Threads</h2>
 *
 * The request thread parses and validates, hands the vote to the publisher and returns; the
 * response is written from Jetty's pool when Kafka answers ({@code ctx.future}), so no thread waits
 * on Kafka. {@code send} itself blocks at most {@code max.block.ms}.
 */
public final class IngestHttpApp {

  private static final Logger log = LoggerFactory.getLogger(IngestHttpApp.class);

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String START_NANOS = "quetzal.startNanos";
  private static final String CHANNEL = VoteEvent.CHANNEL_HTTP;

  /** Routes and their methods, for the Allow header and a bounded metric tag. */
  private static final Map<String, String> ALLOWED_METHODS =
      Map.of(
          "/votes", "POST",
          "/votes/batch", "POST",
          "/healthz", "GET, HEAD",
          "/readyz", "GET, HEAD",
          "/metrics", "GET, HEAD");

  private final VotePublisher publisher;
  private final PrometheusMeterRegistry registry;
  private final IngestHttpConfig config;
  private final VoteCounters counters;
  private final VoteRoutes votes;

  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

  public IngestHttpApp(
      VoteValidator validator,
      VotePublisher publisher,
      PrometheusMeterRegistry registry,
      IngestHttpConfig config) {
    this(validator, publisher, registry, config, ClientRateLimit.of(config.rateLimit()));
  }

  /** @param rateLimit the per-client limit to apply, or {@code null} for none (tests pass one on a fake clock) */
  public IngestHttpApp(
      VoteValidator validator,
      VotePublisher publisher,
      PrometheusMeterRegistry registry,
      IngestHttpConfig config,
      ClientRateLimit rateLimit) {
    this.config = Objects.requireNonNull(config, "config");
    this.counters = new VoteCounters(registry, CHANNEL, UnaryOperator.identity());
    VoteCaster caster = new VoteCaster(validator, publisher, counters, config.publishTimeoutMs());
    this.publisher = publisher; // the caster checked both
    this.registry = registry;
    if (rateLimit != null) {
      rateLimit.bindTo(registry, CHANNEL);
    }
    DistributionSummary batchSizes =
        DistributionSummary.builder("quetzal.ingest.http.batch.size")
            .description("Votes per POST /votes/batch request")
            .baseUnit("votes")
            .register(registry);
    this.votes = new VoteRoutes(caster, new VoteIntake(config.idleTimeoutMs(), rateLimit, counters), config, batchSizes);
    Gauge.builder("quetzal.ingest.http.in.flight", inFlight, AtomicInteger::get)
        .description("HTTP requests being handled, including votes awaiting Kafka's acknowledgement")
        .strongReference(true)
        .register(registry);
  }

  /** A new, unstarted server on {@link IngestHttpConfig#httpPort()}; each call builds a fresh one. */
  public Javalin create() {
    QueuedThreadPool pool = new QueuedThreadPool(config.httpMaxThreads(), 8, 60_000);
    pool.setName("ingest-http");
    Executor responses = pool; // Kafka callbacks hop here before touching a response
    return Javalin.create(
        cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.jetty.port = config.httpPort();
          cfg.jetty.threadPool = pool;
          cfg.http.maxRequestSize = config.maxRequestBytes();
          cfg.http.prefer405over404 = true;
          // A client that stalls mid-body frees its thread after this much silence (408 or close).
          cfg.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(config.idleTimeoutMs()));
          cfg.jetty.modifyServer(
              server -> {
                // On stop: refuse new requests, let those in flight (awaiting Kafka) finish.
                server.setStopTimeout(config.shutdownTimeoutMs());
                server.setErrorHandler(new ProblemErrorHandler()); // Jetty's own 400s as problem+json too
                GracefulHandler graceful = new GracefulHandler();
                // Idle keep-alive connections would otherwise hold shutdown for Jetty's default 1 s.
                graceful.setShutdownIdleTimeout(Math.min(200, config.shutdownTimeoutMs()));
                server.setHandler(graceful);
                // The connection's idle timeout equals the request's read timeout above. If they
                // differed, Jetty would put the connection's value back as each request ends, undoing
                // the short idle timeout a graceful stop gives connections: a keep-alive connection
                // whose request was ending as stop began would then hold stop for the full timeout.
                // Javalin adds its connector after this hook, so it is set when the server starts.
                server.addEventListener(
                    new LifeCycle.Listener() {
                      @Override
                      public void lifeCycleStarting(LifeCycle event) {
                        for (Connector connector : server.getConnectors()) {
                          if (connector instanceof AbstractConnector c) {
                            c.setIdleTimeout(config.idleTimeoutMs());
                          }
                        }
                      }
                    });
              });

          cfg.routes.before(this::startTiming);
          cfg.routes.after(this::stopTiming);

          cfg.routes.post("/votes", ctx -> votes.postVote(ctx, responses));
          cfg.routes.post("/votes/batch", ctx -> votes.postBatch(ctx, responses));
          cfg.routes.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok"));
          cfg.routes.get("/readyz", ctx -> readyz(ctx, responses));
          if (!config.hasOpsPort()) { // with OPS_PORT, /metrics lives there only (see OpsHttpApp)
            cfg.routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
          }

          cfg.routes.exception(ProblemException.class, this::onProblem);
          cfg.routes.exception(HttpResponseException.class, this::onHttpResponseException);
          cfg.routes.exception(Exception.class, this::onUnexpected);
        });
  }

  // ---- health --------------------------------------------------------------------------------

  private void readyz(Context ctx, Executor responses) {
    OpsHttpApp.answerReadiness(ctx, publisher, responses);
  }

  // ---- metrics -------------------------------------------------------------------------------

  private void startTiming(Context ctx) {
    ctx.attribute(START_NANOS, System.nanoTime());
    inFlight.incrementAndGet();
  }

  private void stopTiming(Context ctx) {
    Long start = ctx.attribute(START_NANOS);
    if (start == null) {
      return;
    }
    ctx.attribute(START_NANOS, null);
    inFlight.decrementAndGet();
    TimerKey key = new TimerKey(ctx.method().name(), routeTag(ctx.path()), ctx.statusCode());
    timers
        .computeIfAbsent(
            key,
            k ->
                Timer.builder("quetzal.ingest.http.requests")
                    .description("HTTP requests, until the response is ready (for votes: after Kafka answered)")
                    .tag("method", k.method())
                    .tag("route", k.route())
                    .tag("status", Integer.toString(k.status()))
                    .publishPercentileHistogram()
                    .register(registry))
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  /** A cache key for request timers: building a Micrometer id per request costs more than timing it. */
  private record TimerKey(String method, String route, int status) {}

  private static String routeTag(String path) {
    String route = stripTrailingSlash(path);
    return ALLOWED_METHODS.containsKey(route) ? route : "other"; // unknown paths must not explode cardinality
  }

  // ---- errors --------------------------------------------------------------------------------

  private void onProblem(ProblemException e, Context ctx) {
    if (e.rejectReason() != null) {
      counters.rejected(e.rejectReason());
    }
    HttpJson.problem(ctx, e.problem());
  }

  private void onHttpResponseException(HttpResponseException e, Context ctx) {
    String path = stripTrailingSlash(ctx.path());
    switch (e.getStatus()) {
      case 404 -> HttpJson.problem(ctx, Problem.notFound(ctx.path()));
      case 405 -> {
        String allow = ALLOWED_METHODS.getOrDefault(path, "");
        ctx.header("Allow", allow);
        HttpJson.problem(ctx, Problem.methodNotAllowed(ctx.method().name(), ctx.path(), allow));
      }
      case 413 -> HttpJson.problem(ctx, Problem.bodyTooLarge(path.equals("/votes/batch") ? config.maxBatchBodyBytes() : config.maxBodyBytes()));
      default -> {
        HttpStatus status = HttpStatus.forStatus(e.getStatus());
        HttpJson.problem(ctx, new Problem("about:blank", status.getMessage(), e.getStatus(), status.getMessage(), List.of()));
      }
    }
  }

  private void onUnexpected(Exception e, Context ctx) {
    log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
    HttpJson.problem(ctx, Problem.internal());
  }

  private static String stripTrailingSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
