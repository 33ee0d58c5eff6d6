package gt.quetzal.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.ClientRateLimit;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.KafkaVotePublisher;
import gt.quetzal.ingest.core.PublishFailure;
import gt.quetzal.ingest.core.IngestOps;
import gt.quetzal.ingest.core.RateLimiter;
import gt.quetzal.ingest.core.ValidationResult;
import gt.quetzal.ingest.core.VoteCandidate;
import gt.quetzal.ingest.core.VotePublisher;
import gt.quetzal.ingest.core.VoteValidator;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front door: {@code POST /votes}, {@code POST /votes/batch}, plus {@code /healthz},
 * {@code /readyz} and {@code /metrics} ({@code /metrics} only when no OPS_PORT is set; with one it
 * is served there by {@link IngestOps}).
 *
 * <h2>POST /votes</h2>
 *
 * One vote as a JSON object in the seed's format, {@code {"name","album","year","rank"}}, with
 * optional {@code voterId} and {@code voteId}; {@code year} and {@code rank} may be numbers or
 * strings. The {@code Idempotency-Key} header is equivalent to {@code voteId}; if both are sent
 * they must be equal. The body must be {@code application/json} (or {@code application/*+json}) in
 * UTF-8, at most {@link IngestHttpConfig#maxBodyBytes()} bytes.
 *
 * <ul>
 *   <li><b>202</b> {@code {"voteId": "..."}} only after Kafka acknowledged the vote (acks=all,
 *       idempotent producer). The id is the client's, or a generated UUIDv7.
 *   <li><b>503</b> with {@code Retry-After} when Kafka failed or did not answer within {@link
 *       IngestHttpConfig#publishTimeoutMs()}. The problem carries the {@code voteId}: the vote may
 *       still have been stored, and a retry under that id is counted once. Never a false 202.
 *   <li><b>400</b> malformed JSON, a body that is not one object, or any rule of {@link
 *       VoteValidator} broken (all violations listed at once).
 *   <li><b>413</b> body too large, <b>415</b> not JSON or not UTF-8, <b>404</b> unknown path,
 *       <b>405</b> wrong method (with {@code Allow}).
 *   <li><b>429</b> with {@code Retry-After} when rate limiting is on and the client (address or
 *       voterId, {@link gt.quetzal.ingest.core.RateLimitConfig}) sent more votes than its rate.
 *   <li><b>408</b> (or the connection closed) when the body stalls for {@link
 *       IngestHttpConfig#idleTimeoutMs()}: a slow client never holds a thread longer than that.
 * </ul>
 *
 * <p>Text fields refuse control characters (NUL included) and {@code <} / {@code >}; see {@link
 * VoteValidator}. The parser refuses nesting deeper than {@value VoteJson#MAX_NESTING_DEPTH} and
 * numbers longer than {@value VoteJson#MAX_NUMBER_LENGTH} characters, and bodies that are not
 * strict UTF-8. Requests Jetty refuses before routing (e.g. {@code %00} in the path) get
 * problem+json too ({@link ProblemErrorHandler}).
 *
 * <h2>POST /votes/batch</h2>
 *
 * A JSON array of votes in the traffic-file format (each item as for {@code POST /votes}), at most
 * {@link IngestHttpConfig#maxBatchSize()} items and {@link IngestHttpConfig#maxBatchBodyBytes()}
 * bytes. Each item is validated on its own; the valid ones are published, and the answer waits
 * until Kafka answered for every one of them. The body lists every index in exactly one of {@code
 * accepted [{index, voteId}]}, {@code rejected [{index, errors}]} and {@code unavailable [{index,
 * voteId}]} (see {@link BatchResult}).
 *
 * <ul>
 *   <li><b>202</b> {@code application/json} when at least one vote was accepted, whatever happened
 *       to the others: the client must act on the lists either way, and a 202 says "some of this
 *       is durable now". If any are unavailable, {@code Retry-After} is set.
 *   <li><b>503</b> problem+json (with {@code Retry-After} and the three lists as extension
 *       members) when none was accepted and at least one was unavailable: retrying helps.
 *   <li><b>400</b> problem+json (with the lists) when every item was invalid: retrying does not.
 *       Its {@code errors} name each field as {@code [index].field}.
 *   <li><b>413</b> problem+json when the array has more than the maximum of items ({@code
 *       urn:quetzal:problem:batch-too-large}, field {@code body}, code {@code too_many_items}) or
 *       the body more than the maximum of bytes ({@code body-too-large}). 413 rather than 400: the
 *       request is well-formed, just larger than this server takes, and splitting it works.
 *   <li><b>400</b> when the body is not an array, is an empty array, or carries an {@code
 *       Idempotency-Key} header (one key cannot name many votes: put a voteId in each item).
 * </ul>
 *
 * <h2>Unknown fields are rejected</h2>
 *
 * A field outside {@code name, album, year, rank, voterId, voteId} makes the vote invalid (400,
 * the field named, code {@code unknown_field}). Ignoring them would be more forgiving, but a typo
 * such as {@code "voteid"} would then silently drop the idempotency key, and a retried vote would
 * count twice. Votes are small and their shape is fixed, so strictness costs little.
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

  public static final String PROBLEM_JSON = "application/problem+json";
  public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
  private static final String JSON = "application/json";
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

  private final VoteValidator validator;
  private final VotePublisher publisher;
  private final PrometheusMeterRegistry registry;
  private final IngestHttpConfig config;
  private final ClientRateLimit rateLimit; // null when off

  private final Counter accepted;
  private final DistributionSummary batchSizes;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean publishFailing = new AtomicBoolean();
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
    this.rateLimit = rateLimit;
    if (rateLimit != null) {
      Gauge.builder("quetzal.ingest.rate.limit.keys", rateLimit.limiter(), RateLimiter::trackedKeys)
          .description("Clients (addresses or voterIds) the rate limiter currently tracks")
          .tag("channel", CHANNEL)
          .strongReference(true)
          .register(registry);
    }
    this.validator = Objects.requireNonNull(validator, "validator");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.config = Objects.requireNonNull(config, "config");
    this.accepted =
        Counter.builder("quetzal.ingest.votes.accepted")
            .description("Votes Kafka acknowledged")
            .tag("channel", CHANNEL)
            .register(registry);
    this.batchSizes =
        DistributionSummary.builder("quetzal.ingest.http.batch.size")
            .description("Votes per POST /votes/batch request")
            .baseUnit("votes")
            .register(registry);
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

          cfg.routes.post("/votes", ctx -> postVote(ctx, responses));
          cfg.routes.post("/votes/batch", ctx -> postBatch(ctx, responses));
          var ops = IngestOps.endpoints(publisher, registry, responses);
          ops.addProbes(cfg);
          if (!config.hasOpsPort()) { // with OPS_PORT, /metrics lives there only
            ops.addMetrics(cfg);
          }

          cfg.routes.exception(ProblemException.class, this::onProblem);
          cfg.routes.exception(HttpResponseException.class, this::onHttpResponseException);
          cfg.routes.exception(Exception.class, this::onUnexpected);
        });
  }

  // ---- POST /votes ---------------------------------------------------------------------------

  private void postVote(Context ctx, Executor responses) {
    requireJson(ctx.header("Content-Type"));
    int paid = chargeBody(ctx, config.maxBodyBytes());
    byte[] body = readBody(ctx, config.maxBodyBytes());
    paid = chargeBody(ctx, body.length, paid);
    JsonNode tree = VoteJson.parse(body);
    if (!tree.isObject()) {
      throw new ProblemException(
          Problem.invalidBody(FieldViolation.WRONG_TYPE, "must be one JSON object (one vote), not " + describe(tree)),
          "not_an_object");
    }
    VoteCandidate candidate = VoteJson.toCandidate(tree).withIdempotencyKey(ctx.header(IDEMPOTENCY_KEY_HEADER));
    checkRate(ctx, Collections.singletonList(candidate.voterId()), paid);
    ValidationResult result = validator.validate(candidate, CHANNEL);
    if (result instanceof ValidationResult.Invalid invalid) {
      countViolations(invalid.violations());
      throw new ProblemException(Problem.invalidVote(invalid.violations()), "invalid");
    }
    VoteEvent vote = ((ValidationResult.Valid) result).vote();
    ctx.future(
        () ->
            publisher
                .publish(vote)
                .orTimeout(config.publishTimeoutMs(), TimeUnit.MILLISECONDS)
                .handleAsync(
                    (metadata, error) -> {
                      if (error == null) {
                        onAccepted(ctx, vote);
                      } else {
                        onPublishFailed(ctx, vote, error);
                      }
                      return null;
                    },
                    responses));
  }

  // ---- POST /votes/batch ---------------------------------------------------------------------

  private void postBatch(Context ctx, Executor responses) {
    requireJson(ctx.header("Content-Type"));
    if (ctx.header(IDEMPOTENCY_KEY_HEADER) != null) {
      throw new ProblemException(
          Problem.invalidVote(
              List.of(
                  new FieldViolation(
                      IDEMPOTENCY_KEY_HEADER,
                      FieldViolation.NOT_ALLOWED,
                      "names one vote, so it is not allowed on a batch; put a voteId in each vote instead"))),
          "invalid");
    }
    int paid = chargeBody(ctx, config.maxBatchBodyBytes());
    byte[] body = readBody(ctx, config.maxBatchBodyBytes());
    paid = chargeBody(ctx, body.length, paid);
    JsonNode tree = VoteJson.parse(body);
    if (!tree.isArray()) {
      throw new ProblemException(
          Problem.invalidBody(
              FieldViolation.WRONG_TYPE,
              "must be a JSON array of votes, not " + describe(tree) + " (single votes go to POST /votes)"),
          "not_an_array");
    }
    int size = tree.size();
    if (size == 0) {
      throw new ProblemException(Problem.invalidBody(FieldViolation.REQUIRED, "must hold at least one vote"), "empty_body");
    }
    if (size > config.maxBatchSize()) {
      throw new ProblemException(Problem.batchTooLarge(config.maxBatchSize(), size), "too_many_items");
    }
    batchSizes.record(size);
    if (rateLimit != null) { // the voterIds are only gathered when they are charged
      List<Object> voterIds = new ArrayList<>(size);
      for (JsonNode item : tree) {
        JsonNode voterId = item.get("voterId");
        voterIds.add(voterId != null && voterId.isTextual() ? voterId.textValue() : null);
      }
      checkRate(ctx, voterIds, paid);
    }

    List<BatchResult.Rejected> rejectedItems = new ArrayList<>();
    int[] indexes = new int[size];
    VoteEvent[] votes = new VoteEvent[size];
    CompletableFuture<?>[] acks = new CompletableFuture<?>[size];
    int valid = 0;
    for (int i = 0; i < size; i++) {
      JsonNode item = tree.get(i);
      if (!item.isObject()) {
        rejectedItems.add(
            new BatchResult.Rejected(
                i,
                List.of(new FieldViolation("vote", FieldViolation.WRONG_TYPE, "must be a JSON object (one vote), not " + describe(item)))));
        rejected("invalid");
        continue;
      }
      ValidationResult result = validator.validate(VoteJson.toCandidate(item), CHANNEL);
      if (result instanceof ValidationResult.Invalid invalid) {
        countViolations(invalid.violations());
        rejected("invalid");
        rejectedItems.add(new BatchResult.Rejected(i, invalid.violations()));
        continue;
      }
      VoteEvent vote = ((ValidationResult.Valid) result).vote();
      indexes[valid] = i;
      votes[valid] = vote;
      acks[valid] = publisher.publish(vote);
      valid++;
    }
    if (valid == 0) {
      BatchResult none = new BatchResult(List.of(), rejectedItems, List.of());
      writeBatchProblem(ctx, batchInvalid(rejectedItems), none);
      return;
    }
    int published = valid;
    CompletableFuture<?>[] pending = Arrays.copyOf(acks, published);
    // One timeout for the whole batch, not one timer per vote; the batch then waits for its slowest vote.
    ctx.future(
        () ->
            CompletableFuture.allOf(pending)
                .orTimeout(config.publishTimeoutMs(), TimeUnit.MILLISECONDS)
                .handleAsync(
                    (ignored, error) -> {
                      answerBatch(ctx, indexes, votes, pending, rejectedItems);
                      return null;
                    },
                    responses));
  }

  private void answerBatch(
      Context ctx, int[] indexes, VoteEvent[] votes, CompletableFuture<?>[] acks, List<BatchResult.Rejected> rejectedItems) {
    List<BatchResult.Accepted> acceptedItems = new ArrayList<>(acks.length);
    List<BatchResult.Unavailable> unavailableItems = new ArrayList<>();
    String firstFailure = null;
    for (int j = 0; j < acks.length; j++) {
      CompletableFuture<?> ack = acks[j];
      if (ack.isDone() && !ack.isCompletedExceptionally()) {
        acceptedItems.add(new BatchResult.Accepted(indexes[j], votes[j].voteId()));
        continue;
      }
      unavailableItems.add(new BatchResult.Unavailable(indexes[j], votes[j].voteId()));
      if (firstFailure == null) {
        Throwable error = ack.isDone() ? ack.handle((value, e) -> e).join() : new TimeoutException();
        firstFailure = publishFailure(error, votes[j].voteId());
      }
    }
    if (!acceptedItems.isEmpty()) {
      accepted.increment(acceptedItems.size());
      kafkaAnswers();
    }
    for (int k = 0; k < unavailableItems.size(); k++) {
      rejected("unavailable");
    }
    BatchResult result = new BatchResult(acceptedItems, rejectedItems, unavailableItems);
    if (!unavailableItems.isEmpty()) {
      ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
    }
    if (!acceptedItems.isEmpty()) {
      ctx.status(HttpStatus.ACCEPTED).contentType(JSON).result(toJson(result));
      return;
    }
    Problem problem =
        Problem.unavailable(
            firstFailure + ". No vote of the batch was accepted; the unavailable ones may still have been stored:"
                + " resend them after " + config.retryAfterSeconds() + " s with the listed voteIds, which are counted once.",
            null);
    writeBatchProblem(ctx, problem, result);
  }

  /** A 400 for a batch without one valid vote; each error's field is {@code [index].field}. */
  private static Problem batchInvalid(List<BatchResult.Rejected> rejectedItems) {
    List<FieldViolation> errors = new ArrayList<>();
    for (BatchResult.Rejected item : rejectedItems) {
      for (FieldViolation violation : item.errors()) {
        errors.add(new FieldViolation("[" + item.index() + "]." + violation.field(), violation.code(), violation.message()));
      }
    }
    return new Problem(
        Problem.INVALID_VOTE,
        "No vote in the batch is valid",
        400,
        "Every vote of the batch broke a rule; see rejected for each vote's errors.",
        errors);
  }

  /** A problem document with the batch's per-item lists as RFC 9457 extension members. */
  private static void writeBatchProblem(Context ctx, Problem problem, BatchResult result) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", problem.type());
    body.put("title", problem.title());
    body.put("status", problem.status());
    body.put("detail", problem.detail());
    body.put("errors", problem.errors());
    body.put("accepted", result.accepted());
    body.put("rejected", result.rejected());
    body.put("unavailable", result.unavailable());
    ctx.status(problem.status()).contentType(PROBLEM_JSON).result(toJson(body));
  }

  private static void requireJson(String contentType) {
    if (!isJsonUtf8(contentType)) {
      throw new ProblemException(Problem.unsupportedMediaType(contentType), "unsupported_media_type");
    }
  }

  /** {@code application/json} or {@code application/*+json}; a charset, if named, must be UTF-8. */
  static boolean isJsonUtf8(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";");
    String media = parts[0].trim().toLowerCase(Locale.ROOT);
    boolean json = media.equals(JSON) || (media.startsWith("application/") && media.endsWith("+json"));
    if (!json) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      int eq = parameter.indexOf('=');
      if (eq > 0 && parameter.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String charset = parameter.substring(eq + 1).trim().replace("\"", "");
        if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
          return false; // decoding Latin-1 as UTF-8 would mangle accents: refuse instead
        }
      }
    }
    return true;
  }

  /** Reads at most the limit: a declared length over it is refused unread, a chunked one stops early. */
  private byte[] readBody(Context ctx, int limit) {
    if (ctx.req().getContentLengthLong() > limit) {
      throw new ProblemException(Problem.bodyTooLarge(limit), "too_large");
    }
    try {
      InputStream in = ctx.req().getInputStream();
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        throw new ProblemException(Problem.bodyTooLarge(limit), "too_large");
      }
      return body;
    } catch (IOException e) {
      if (isTimeout(e)) {
        // Jetty closes the connection after this; the 408 reaches the client if it still reads.
        throw new ProblemException(Problem.requestTimeout(config.idleTimeoutMs()), "timeout");
      }
      log.debug("body could not be read: {}", e.toString()); // the I/O detail is the server's, not the client's
      throw new ProblemException(Problem.malformedJson("The body could not be read"), "unreadable_body");
    }
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** Before reading: charges the declared body size (capped at the limit; unknown counts as 1 token). */
  private int chargeBody(Context ctx, int limit) {
    return chargeBody(ctx, Math.min(ctx.req().getContentLengthLong(), limit), 0);
  }

  /**
   * Charges the address for a body of {@code bytes} beyond the {@code paid} tokens ({@link
   * ClientRateLimit#bodyTokens}), so malformed and oversized bodies cost their sender; 429 when
   * refused. Returns the tokens paid so far.
   */
  private int chargeBody(Context ctx, long bytes, int paid) {
    if (rateLimit == null) {
      return 0;
    }
    int owed = ClientRateLimit.bodyTokens(bytes) - paid;
    if (owed <= 0) {
      return paid;
    }
    RateLimiter.Decision decision = rateLimit.chargeBody(client(ctx), owed);
    if (!decision.allowed()) {
      ctx.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
      throw new ProblemException(Problem.rateLimited(decision.retryAfterSeconds(), false), "rate_limited");
    }
    return paid + owed;
  }

  private String client(Context ctx) {
    return rateLimit.config().clientAddresses().client(ctx.req().getRemoteAddr(), forwardedFor(ctx));
  }

  /**
   * Charges the request's votes to the client's bucket, less the {@code paid} tokens its body
   * already cost the address; 429 with Retry-After when it is empty.
   */
  private void checkRate(Context ctx, List<Object> voterIds, int paid) {
    if (rateLimit == null) {
      return;
    }
    RateLimiter.Decision decision = rateLimit.check(client(ctx), voterIds, paid);
    if (!decision.allowed()) {
      ctx.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
      for (int i = 1; i < voterIds.size(); i++) {
        rejected("rate_limited"); // the exception mapping counts one
      }
      throw new ProblemException(Problem.rateLimited(decision.retryAfterSeconds(), rateLimit.keyedByVoter()), "rate_limited");
    }
  }

  /** Every X-Forwarded-For header, in order, as one comma-separated list. */
  private static String forwardedFor(Context ctx) {
    Enumeration<String> values = ctx.req().getHeaders("X-Forwarded-For");
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    StringBuilder all = new StringBuilder(values.nextElement());
    while (values.hasMoreElements()) {
      all.append(',').append(values.nextElement());
    }
    return all.toString();
  }

  private void onAccepted(Context ctx, VoteEvent vote) {
    accepted.increment();
    kafkaAnswers();
    Map<String, Object> body = Map.of("voteId", vote.voteId());
    ctx.status(HttpStatus.ACCEPTED).contentType(JSON).result(toJson(body));
  }

  private void onPublishFailed(Context ctx, VoteEvent vote, Throwable error) {
    String why = publishFailure(error, vote.voteId());
    rejected("unavailable");
    Problem problem =
        Problem.unavailable(
            why + ". It may still have been stored: retry after " + config.retryAfterSeconds()
                + " s with the same voteId, which is counted once.",
            vote.voteId());
    ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
    writeProblem(ctx, problem);
  }

  /** Why Kafka did not take a vote, in words for the client; logs the first failure of a run loudly. */
  private String publishFailure(Throwable error, String voteId) {
    PublishFailure why = PublishFailure.of(error, config.publishTimeoutMs());
    if (publishFailing.compareAndSet(false, true)) {
      log.warn("refusing votes with 503 until Kafka acknowledges again: {}", why.forLog());
    } else {
      log.debug("vote {} refused: {}", voteId, why.forLog());
    }
    return why.forClient();
  }

  private void kafkaAnswers() {
    if (publishFailing.get() && publishFailing.compareAndSet(true, false)) {
      log.info("Kafka acknowledges votes again");
    }
  }

  /** Votes not accepted, by reason: invalid, malformed_json, too_large, unavailable, ... */
  private void rejected(String reason) {
    Counter.builder("quetzal.ingest.votes.rejected")
        .description("Votes answered with an error, by reason")
        .tag("channel", CHANNEL)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  private void countViolations(List<FieldViolation> violations) {
    for (FieldViolation violation : violations) {
      String field = FieldViolation.UNKNOWN_FIELD.equals(violation.code()) ? "(unknown)" : violation.field();
      registry
          .counter("quetzal.ingest.votes.violations", "channel", CHANNEL, "field", field, "code", violation.code())
          .increment();
    }
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
      rejected(e.rejectReason());
    }
    writeProblem(ctx, e.problem());
  }

  private void onHttpResponseException(HttpResponseException e, Context ctx) {
    String path = stripTrailingSlash(ctx.path());
    switch (e.getStatus()) {
      case 404 -> writeProblem(ctx, Problem.notFound(ctx.path()));
      case 405 -> {
        String allow = ALLOWED_METHODS.getOrDefault(path, "");
        ctx.header("Allow", allow);
        writeProblem(ctx, Problem.methodNotAllowed(ctx.method().name(), ctx.path(), allow));
      }
      case 413 -> writeProblem(ctx, Problem.bodyTooLarge(path.equals("/votes/batch") ? config.maxBatchBodyBytes() : config.maxBodyBytes()));
      default -> {
        HttpStatus status = HttpStatus.forStatus(e.getStatus());
        writeProblem(ctx, new Problem("about:blank", status.getMessage(), e.getStatus(), status.getMessage(), List.of()));
      }
    }
  }

  private void onUnexpected(Exception e, Context ctx) {
    log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
    writeProblem(ctx, Problem.internal());
  }

  private static void writeProblem(Context ctx, Problem problem) {
    ctx.status(problem.status()).contentType(PROBLEM_JSON).result(toJson(problem));
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static byte[] toJson(Object value) {
    try {
      return Json.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write response JSON", e);
    }
  }

  private static String describe(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return "null";
  }

  private static String stripTrailingSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
