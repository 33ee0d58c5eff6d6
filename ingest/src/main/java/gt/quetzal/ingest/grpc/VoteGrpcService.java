package gt.quetzal.ingest.grpc;

import gt.quetzal.ingest.core.CastOutcome;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.ValidationResult;
import gt.quetzal.ingest.core.VoteCaster;
import gt.quetzal.ingest.core.VoteCounters;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quetzal.v1.VoteService}: the gRPC front door. Its votes go through the same {@link
 * VoteCaster} step as the HTTP route's; this class only maps protobuf to candidates and outcomes to
 * gRPC answers.
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
 * <h2>CastStream</h2>
 *
 * Bidi, in runs of votes with one ack per run, under manual flow control: see {@link
 * CastStreamCall}. Unknown protobuf fields are ignored (see {@link GrpcVotes#toCandidate}).
 */
public final class VoteGrpcService implements VoteServiceGrpc.AsyncService, BindableService {

  private static final Logger log = LoggerFactory.getLogger(VoteGrpcService.class);
  private static final Metadata.Key<String> IDEMPOTENCY_KEY_HEADER =
      Metadata.Key.of(GrpcVotes.IDEMPOTENCY_KEY, Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> IDEMPOTENCY_KEY = Context.key("quetzal-idempotency-key");

  /** What a request that failed to parse becomes (compared by identity; see {@link MalformedMessages}). */
  private static final Vote MALFORMED_VOTE = Vote.newBuilder().build();

  /**
   * @param publishTimeoutMs         how long a Cast waits for Kafka before it is answered UNAVAILABLE
   *                                 (CastStream relies on the publisher's own bound, see {@link CastStreamCall})
   * @param retryAfterMs             the retry hint sent with UNAVAILABLE
   * @param streamMaxInFlight        per CastStream, request messages received whose ack is not yet written
   * @param streamMaxVotesPerMessage most votes one CastStream request message may carry
   */
  public record Settings(long publishTimeoutMs, long retryAfterMs, int streamMaxInFlight, int streamMaxVotesPerMessage) {
    public Settings {
      if (publishTimeoutMs < 1 || retryAfterMs < 1 || streamMaxInFlight < 1 || streamMaxVotesPerMessage < 1) {
        throw new IllegalArgumentException("all settings must be positive");
      }
    }

    /** With the default cap of {@value IngestGrpcConfig#DEFAULT_STREAM_MAX_VOTES_PER_MESSAGE} votes per message. */
    public Settings(long publishTimeoutMs, long retryAfterMs, int streamMaxInFlight) {
      this(publishTimeoutMs, retryAfterMs, streamMaxInFlight, IngestGrpcConfig.DEFAULT_STREAM_MAX_VOTES_PER_MESSAGE);
    }

    public static Settings of(IngestGrpcConfig config) {
      return new Settings(
          config.publishTimeoutMs(), config.retryAfterMs(), config.streamMaxInFlight(), config.streamMaxVotesPerMessage());
    }
  }

  final VoteCaster caster;
  final Settings settings;
  final Executor executor;
  final GrpcMetrics metrics;
  private final Set<CastStreamCall> openStreams = ConcurrentHashMap.newKeySet();
  private volatile boolean shuttingDown;

  /**
   * @param executor writes answers once Kafka completed a vote; must not be Kafka's own thread
   */
  public VoteGrpcService(
      VoteValidator validator, VotePublisher publisher, MeterRegistry registry, Settings settings, Executor executor) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.executor = Objects.requireNonNull(executor, "executor");
    VoteCounters votes = GrpcVotes.counters(registry);
    this.caster = new VoteCaster(validator, publisher, votes, settings.publishTimeoutMs());
    this.metrics = new GrpcMetrics(registry, votes);
  }

  /** The service with the interceptor that reads the {@code idempotency-key} metadata. */
  @Override
  public ServerServiceDefinition bindService() {
    ServerServiceDefinition tolerant =
        MalformedMessages.tolerate(
            VoteServiceGrpc.bindService(this),
            Map.of(
                VoteServiceGrpc.getCastMethod().getFullMethodName(), MALFORMED_VOTE,
                VoteServiceGrpc.getCastStreamMethod().getFullMethodName(), CastStreamCall.MALFORMED));
    return ServerInterceptors.intercept(tolerant, new IdempotencyKeyInterceptor());
  }

  /**
   * Hands the outcome to {@code answer} at once when it is in (nothing went to Kafka, or Kafka
   * answered already), else on {@code executor} once Kafka answered, so Kafka's I/O thread never
   * builds or writes responses; from Kafka's thread only if the executor was shut down.
   */
  static <T> void whenDone(CompletableFuture<T> outcome, Executor executor, Consumer<T> answer) {
    if (outcome.isDone()) {
      answer.accept(outcome.join());
      return;
    }
    outcome.thenAccept(
        value -> {
          try {
            executor.execute(() -> answer.accept(value));
          } catch (RuntimeException e) { // executor shut down: answer from here rather than never
            answer.accept(value);
          }
        });
  }

  // ---- Cast ----------------------------------------------------------------------------------

  @Override
  public void cast(Vote request, StreamObserver<CastReply> responseObserver) {
    long start = System.nanoTime();
    ServerCallStreamObserver<CastReply> call = (ServerCallStreamObserver<CastReply>) responseObserver;
    if (request == MALFORMED_VOTE) {
      metrics.votes.rejected("malformed");
      call.onError(GrpcVotes.malformed("quetzal.v1.Vote"));
      return;
    }
    // A call whose deadline passed or whose client left before publishing is not published: nobody would learn the outcome.
    CompletableFuture<CastOutcome> outcome =
        caster.cast(GrpcVotes.toCandidate(request, IDEMPOTENCY_KEY.get()), () -> !call.isCancelled());
    whenDone(outcome, executor, answer -> answerCast(call, answer, start));
  }

  private void answerCast(ServerCallStreamObserver<CastReply> call, CastOutcome outcome, long start) {
    metrics.latency(GrpcMetrics.CAST, outcome, start);
    try {
      if (outcome instanceof ValidationResult.Invalid invalid) {
        call.onError(GrpcVotes.invalidArgument(invalid.violations()));
      } else if (call.isCancelled() || outcome instanceof CastOutcome.Abandoned) {
        return; // nobody reads the answer; the outcome was counted all the same
      } else if (outcome instanceof CastOutcome.Accepted accepted) {
        call.onNext(CastReply.newBuilder().setVoteId(accepted.voteId()).build());
        call.onCompleted();
      } else if (outcome instanceof CastOutcome.Unavailable unavailable) {
        String why =
            unavailable.failure().forClient() + ". It may still have been stored: retry after " + settings.retryAfterMs()
                + " ms with the same vote_id, which is counted once.";
        call.onError(GrpcVotes.unavailable(why, unavailable.voteId(), settings.retryAfterMs()));
      }
    } catch (RuntimeException e) { // e.g. the call was cancelled between the check and the write
      log.debug("answering Cast failed: {}", e.toString());
    }
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
    CastStreamCall stream = new CastStreamCall(this, responses);
    openStreams.add(stream);
    metrics.activeStreams.incrementAndGet();
    stream.start();
    return stream;
  }

  /** Called once by each stream when it ended, for whatever reason. */
  void finished(CastStreamCall stream) {
    openStreams.remove(stream);
    metrics.activeStreams.decrementAndGet();
  }

  /**
   * Stops taking new streams and asks each open one to finish what it holds and end with
   * UNAVAILABLE; called before the server's own shutdown so long-lived streams do not hold it up.
   */
  public void beginShutdown() {
    shuttingDown = true;
    for (CastStreamCall stream : openStreams) {
      stream.shutdown();
    }
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
