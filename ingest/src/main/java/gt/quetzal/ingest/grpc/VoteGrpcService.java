package gt.quetzal.ingest.grpc;

import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.KafkaVotePublisher;
import gt.quetzal.ingest.core.ValidationResult;
import gt.quetzal.ingest.core.VotePublisher;
import gt.quetzal.ingest.core.VoteValidator;
import gt.quetzal.proto.v1.CastReply;
import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quetzal.v1.VoteService}: the gRPC front door, on the same {@link VoteValidator} and {@link
 * VotePublisher} as the HTTP route.
 *
 * <h2>Cast (unary)</h2>
 *
 * <ul>
 *   <li><b>OK</b> with the vote's id only after Kafka acknowledged it (acks=all, idempotent
 *       producer). The id is {@code vote_id}, else the {@code idempotency-key} metadata value (the
 *       two must agree when both are sent), else a generated UUIDv7.
 *   <li><b>INVALID_ARGUMENT</b> with a {@code google.rpc.BadRequest} naming every field at fault.
 *   <li><b>UNAVAILABLE</b> when Kafka failed or did not answer within {@code PUBLISH_TIMEOUT_MS},
 *       with a {@code google.rpc.RetryInfo} delay and a {@code google.rpc.ErrorInfo} carrying the
 *       vote_id to retry under. Never a false OK.
 *   <li>Deadlines: a call whose deadline already passed (or that the client cancelled) is not
 *       published at all; one that expires while Kafka works ends DEADLINE_EXCEEDED (the vote may
 *       still land, so clients that retry should send a vote_id).
 * </ul>
 *
 * <h2>CastStream: why bidi with one ack per vote</h2>
 *
 * The streaming alternative, client-streaming with one summary at the end, makes every vote of a
 * stream wait for the slowest one, and a failure in the middle leaves the client unsure which votes
 * landed, so it would resend all of them. With an ack per vote, each carrying the client's {@code
 * sequence} (acks come in Kafka's completion order, not sending order), a client knows the fate of
 * each vote as soon as Kafka does: it retries exactly the UNAVAILABLE ones, drops the INVALID ones,
 * and after a broken stream resends only the un-acked ones under their vote_ids. Latency per vote
 * stays that of one Kafka round trip, and one long-lived stream amortises HTTP/2 framing, headers
 * and scheduling over many votes, which is where the rate comes from.
 *
 * <h2>CastStream flow control</h2>
 *
 * Inbound flow control is manual: the server requests {@code GRPC_STREAM_MAX_IN_FLIGHT} votes up
 * front and one more for each ack it has <em>written</em>. Acks are written only while the
 * transport {@code isReady()}; the rest wait in the stream's queue and are flushed from the
 * on-ready callback. A fast sender is therefore held back by HTTP/2 flow control once the window is
 * used, and a client that stops reading acks stops being sent votes' permits too: per stream, at
 * most that many votes and acks are held in memory, whatever the client does.
 *
 * <p>Acks completed on Kafka's I/O thread are queued and written by one drain task on {@code
 * executor} per burst, so Kafka's sender never serialises responses. On shutdown ({@link
 * #beginShutdown()}) each stream stops requesting, finishes the votes it holds, then ends with
 * UNAVAILABLE so the client resends anything un-acked elsewhere. Unknown protobuf fields are
 * ignored (see {@link GrpcVotes#toCandidate}).
 */
public final class VoteGrpcService implements VoteServiceGrpc.AsyncService, BindableService {

  private static final Logger log = LoggerFactory.getLogger(VoteGrpcService.class);
  private static final String CHANNEL = VoteEvent.CHANNEL_GRPC;
  private static final Metadata.Key<String> IDEMPOTENCY_KEY_HEADER =
      Metadata.Key.of(GrpcVotes.IDEMPOTENCY_KEY, Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> IDEMPOTENCY_KEY = Context.key("quetzal-idempotency-key");

  /** What a request that failed to parse becomes (compared by identity; see {@link MalformedMessages}). */
  private static final Vote MALFORMED_VOTE = Vote.newBuilder().build();

  private static final CastStreamRequest MALFORMED_STREAM_REQUEST = CastStreamRequest.newBuilder().build();

  /**
   * @param publishTimeoutMs  how long a Cast waits for Kafka before it is answered UNAVAILABLE
   *                          (CastStream relies on the publisher's own bound, see onNext)
   * @param retryAfterMs      the retry hint sent with UNAVAILABLE
   * @param streamMaxInFlight per CastStream, votes received whose ack is not yet written
   */
  public record Settings(long publishTimeoutMs, long retryAfterMs, int streamMaxInFlight) {
    public Settings {
      if (publishTimeoutMs < 1 || retryAfterMs < 1 || streamMaxInFlight < 1) {
        throw new IllegalArgumentException("all settings must be positive");
      }
    }

    public static Settings of(IngestGrpcConfig config) {
      return new Settings(config.publishTimeoutMs(), config.retryAfterMs(), config.streamMaxInFlight());
    }
  }

  private final VoteValidator validator;
  private final VotePublisher publisher;
  private final Settings settings;
  private final Executor executor;
  private final GrpcMetrics metrics;
  private final Set<StreamCall> openStreams = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean publishFailing = new AtomicBoolean();
  private volatile boolean shuttingDown;

  /**
   * @param executor writes answers once Kafka completed a vote; must not be Kafka's own thread
   */
  public VoteGrpcService(
      VoteValidator validator, VotePublisher publisher, MeterRegistry registry, Settings settings, Executor executor) {
    this.validator = Objects.requireNonNull(validator, "validator");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.metrics = new GrpcMetrics(registry);
  }

  /** The service with the interceptor that reads the {@code idempotency-key} metadata. */
  @Override
  public ServerServiceDefinition bindService() {
    ServerServiceDefinition tolerant =
        MalformedMessages.tolerate(
            VoteServiceGrpc.bindService(this),
            Map.of(
                VoteServiceGrpc.getCastMethod().getFullMethodName(), MALFORMED_VOTE,
                VoteServiceGrpc.getCastStreamMethod().getFullMethodName(), MALFORMED_STREAM_REQUEST));
    return ServerInterceptors.intercept(tolerant, new IdempotencyKeyInterceptor());
  }

  private static FieldViolation malformed(String message) {
    return new FieldViolation(
        "request", "malformed", "is not a valid protobuf encoding of " + message + " (truncated bytes or invalid UTF-8?)");
  }

  // ---- Cast ----------------------------------------------------------------------------------

  @Override
  public void cast(Vote request, StreamObserver<CastReply> responseObserver) {
    long start = System.nanoTime();
    ServerCallStreamObserver<CastReply> call = (ServerCallStreamObserver<CastReply>) responseObserver;
    if (request == MALFORMED_VOTE) {
      metrics.rejected("malformed");
      call.onError(GrpcVotes.invalidArgument(List.of(malformed("quetzal.v1.Vote"))));
      return;
    }
    ValidationResult result = validator.validate(GrpcVotes.toCandidate(request, IDEMPOTENCY_KEY.get()), CHANNEL);
    if (result instanceof ValidationResult.Invalid invalid) {
      metrics.violations(invalid.violations());
      metrics.rejected("invalid");
      metrics.latency(GrpcMetrics.CAST, GrpcMetrics.Outcome.INVALID, start);
      call.onError(GrpcVotes.invalidArgument(invalid.violations()));
      return;
    }
    VoteEvent vote = ((ValidationResult.Valid) result).vote();
    if (call.isCancelled()) {
      // The deadline passed or the client left before we started: nobody would learn the outcome.
      metrics.rejected("cancelled");
      return;
    }
    metrics.publishing();
    publisher
        .publish(vote)
        .orTimeout(settings.publishTimeoutMs(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync(
            (metadata, error) -> {
              metrics.published();
              try {
                if (error == null) {
                  onAccepted(GrpcMetrics.CAST, start);
                  if (!call.isCancelled()) {
                    call.onNext(CastReply.newBuilder().setVoteId(vote.voteId()).build());
                    call.onCompleted();
                  }
                } else {
                  String why = onPublishFailed(GrpcMetrics.CAST, start, vote, error);
                  if (!call.isCancelled()) {
                    call.onError(GrpcVotes.unavailable(why, vote.voteId(), settings.retryAfterMs()));
                  }
                }
              } catch (RuntimeException e) { // e.g. the call was cancelled between the check and the write
                log.debug("answering Cast for vote {} failed: {}", vote.voteId(), e.toString());
              }
            },
            executor);
  }

  // ---- CastStream ----------------------------------------------------------------------------

  @Override
  public StreamObserver<CastStreamRequest> castStream(StreamObserver<CastStreamAck> responseObserver) {
    ServerCallStreamObserver<CastStreamAck> responses = (ServerCallStreamObserver<CastStreamAck>) responseObserver;
    if (IDEMPOTENCY_KEY.get() != null) {
      // One key cannot name many votes; silently ignoring it would lose the client's intent.
      responses.onError(
          GrpcVotes.invalidArgument(
              List.of(
                  new FieldViolation(
                      VoteValidator.IDEMPOTENCY_KEY_FIELD,
                      FieldViolation.NOT_ALLOWED,
                      "names one vote, so it is not allowed on CastStream; set vote_id on each vote instead"))));
      return new NoOpObserver<>();
    }
    if (shuttingDown) {
      responses.onError(Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException());
      return new NoOpObserver<>();
    }
    StreamCall stream = new StreamCall(responses);
    openStreams.add(stream);
    metrics.activeStreams.incrementAndGet();
    responses.request(settings.streamMaxInFlight());
    return stream;
  }

  /**
   * Stops taking new streams and asks each open one to finish what it holds and end with
   * UNAVAILABLE; called before the server's own shutdown so long-lived streams do not hold it up.
   */
  public void beginShutdown() {
    shuttingDown = true;
    for (StreamCall stream : openStreams) {
      stream.shutdown();
    }
  }

  /** One CastStream call; see the class comment for the flow control. */
  private final class StreamCall implements StreamObserver<CastStreamRequest> {

    private final ServerCallStreamObserver<CastStreamAck> responses;
    /** Acks ready to write; filled from any thread, emptied under the lock. */
    private final ConcurrentLinkedQueue<CastStreamAck> ready = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    // guarded by this
    private int unacked; // votes received whose ack is not yet written
    private boolean halfClosed;
    private boolean stopping;
    private boolean finished;

    StreamCall(ServerCallStreamObserver<CastStreamAck> responses) {
      this.responses = responses;
      responses.disableAutoRequest();
      responses.setOnReadyHandler(this::drain);
      responses.setOnCancelHandler(this::abandon);
    }

    @Override
    public void onNext(CastStreamRequest request) {
      long start = System.nanoTime();
      long sequence = request.getSequence();
      synchronized (this) {
        if (finished) {
          return;
        }
        if (request == MALFORMED_STREAM_REQUEST) {
          // Without a sequence there is nothing to ack against: the client is broken, end the stream.
          metrics.rejected("malformed");
          finish();
          responses.onError(GrpcVotes.invalidArgument(List.of(malformed("quetzal.v1.CastStreamRequest"))));
          return;
        }
        unacked++;
      }
      List<FieldViolation> shapeProblem =
          request.hasVote() ? null : List.of(new FieldViolation("vote", FieldViolation.REQUIRED, "is required"));
      ValidationResult result =
          shapeProblem != null
              ? new ValidationResult.Invalid(shapeProblem)
              : validator.validate(GrpcVotes.toCandidate(request.getVote(), null), CHANNEL);
      if (result instanceof ValidationResult.Invalid invalid) {
        metrics.violations(invalid.violations());
        metrics.rejected("invalid");
        metrics.latency(GrpcMetrics.CAST_STREAM, GrpcMetrics.Outcome.INVALID, start);
        CastStreamAck.Builder ack =
            CastStreamAck.newBuilder()
                .setSequence(sequence)
                .setVoteId(request.getVote().getVoteId())
                .setOutcome(CastStreamAck.Outcome.INVALID);
        invalid.violations().forEach(v -> ack.addViolations(GrpcVotes.toProto(v)));
        ready.add(ack.build());
        drain(); // we are on the call's own thread: write now
        return;
      }
      VoteEvent vote = ((ValidationResult.Valid) result).vote();
      metrics.publishing();
      // No per-vote timer here: at stream rates one schedule/cancel per vote on the JDK's shared
      // delay queue costs more than the vote. The publisher's own bound (Kafka's delivery.timeout.ms
      // after at most max.block.ms in send) guarantees every future completes.
      publisher
          .publish(vote)
          .whenComplete(
              (metadata, error) -> {
                metrics.published();
                CastStreamAck.Builder ack = CastStreamAck.newBuilder().setSequence(sequence).setVoteId(vote.voteId());
                if (error == null) {
                  onAccepted(GrpcMetrics.CAST_STREAM, start);
                  ack.setOutcome(CastStreamAck.Outcome.ACCEPTED);
                } else {
                  onPublishFailed(GrpcMetrics.CAST_STREAM, start, vote, error);
                  ack.setOutcome(CastStreamAck.Outcome.UNAVAILABLE)
                      .setRetryAfterMs((int) Math.min(Integer.MAX_VALUE, settings.retryAfterMs()));
                }
                ready.add(ack.build());
                scheduleDrain();
              });
    }

    @Override
    public void onError(Throwable t) {
      abandon(); // the client cancelled or the transport broke; nobody reads acks any more
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        halfClosed = true;
      }
      drain();
    }

    void shutdown() {
      synchronized (this) {
        stopping = true;
      }
      scheduleDrain();
    }

    private void scheduleDrain() {
      if (drainScheduled.compareAndSet(false, true)) {
        try {
          executor.execute(this::drain);
        } catch (RuntimeException e) { // executor shut down: write from here rather than never
          drain();
        }
      }
    }

    /** Writes what the transport takes now, requests as many new votes, and ends the call when due. */
    private void drain() {
      drainScheduled.set(false);
      int written = 0;
      synchronized (this) {
        if (finished) {
          ready.clear();
          return;
        }
        try {
          CastStreamAck ack;
          while (responses.isReady() && (ack = ready.poll()) != null) {
            responses.onNext(ack);
            written++;
          }
        } catch (RuntimeException e) { // cancelled under our feet
          log.debug("writing CastStream acks failed: {}", e.toString());
          finish();
          return;
        }
        unacked -= written;
        if (unacked == 0 && halfClosed) {
          finish(); // bookkeeping first: the client may act on the status at once
          responses.onCompleted();
          return;
        }
        if (unacked == 0 && stopping) {
          finish();
          responses.onError(
              Status.UNAVAILABLE
                  .withDescription("the server is shutting down; resend votes without an ack, under their vote_id")
                  .asRuntimeException());
          return;
        }
        if (halfClosed || stopping) {
          return;
        }
      }
      if (written > 0) {
        responses.request(written); // thread-safe, and outside the lock: a direct executor may deliver inline
      }
    }

    private void abandon() {
      synchronized (this) {
        if (finished) {
          return;
        }
        finish();
        ready.clear();
      }
    }

    // guarded by this
    private void finish() {
      if (!finished) {
        finished = true;
        openStreams.remove(this);
        metrics.activeStreams.decrementAndGet();
      }
    }
  }

  // ---- shared outcomes -----------------------------------------------------------------------

  private void onAccepted(String method, long start) {
    metrics.accepted();
    metrics.latency(method, GrpcMetrics.Outcome.ACCEPTED, start);
    if (publishFailing.get() && publishFailing.compareAndSet(true, false)) {
      log.info("Kafka acknowledges votes again");
    }
  }

  /** Counts and logs a vote Kafka did not take; returns the reason for the client. */
  private String onPublishFailed(String method, long start, VoteEvent vote, Throwable error) {
    Throwable cause = KafkaVotePublisher.unwrap(error);
    String why =
        cause instanceof TimeoutException
            ? "Kafka did not acknowledge the vote within " + settings.publishTimeoutMs() + " ms"
            : "Kafka could not take the vote (" + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")";
    if (publishFailing.compareAndSet(false, true)) {
      log.warn("answering UNAVAILABLE until Kafka acknowledges again: {}", why);
    } else {
      log.debug("vote {} refused: {}", vote.voteId(), why);
    }
    metrics.rejected("unavailable");
    metrics.latency(method, GrpcMetrics.Outcome.UNAVAILABLE, start);
    return why + ". It may still have been stored: retry after " + settings.retryAfterMs()
        + " ms with the same vote_id, which is counted once.";
  }

  /** Puts the {@code idempotency-key} metadata value in the call's context. */
  private static final class IdempotencyKeyInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String key = headers.get(IDEMPOTENCY_KEY_HEADER);
      if (key == null) {
        return next.startCall(call, headers);
      }
      return Contexts.interceptCall(Context.current().withValue(IDEMPOTENCY_KEY, key), call, headers, next);
    }
  }

  private static final class NoOpObserver<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
