package gt.quetzal.ingest.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.KafkaVotePublisher;
import gt.quetzal.ingest.core.PublishFailure;
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
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
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
import java.util.concurrent.atomic.AtomicInteger;
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
 * <h2>CastStream: why bidi, in runs of votes with one ack per run</h2>
 *
 * The streaming alternative, client-streaming with one summary at the end, makes every vote of a
 * stream wait for the slowest one, and a failure in the middle leaves the client unsure which votes
 * landed, so it would resend all of them. Here each request message carries a run of votes (at most
 * {@code GRPC_STREAM_MAX_VOTES_PER_MESSAGE}) numbered from its {@code first_sequence}, and one ack
 * answers the run once Kafka settled all of it, with one outcome per vote under its sequence (acks
 * come in Kafka's completion order, not sending order). A client so knows each vote's fate: it
 * retries exactly the UNAVAILABLE ones, drops the INVALID ones, and after a broken stream resends
 * only the un-acked ones under their vote_ids.
 *
 * <p>Runs rather than one message per vote because grpc-java's cost is per message (framing,
 * flushing, parsing and a thread hand-off on both ends): with a vote and an ack per vote it was
 * paid twice per vote and dominated the route (docs/benchmarks.md). One ack per run rather than
 * partial acks as votes settle, because the votes of a run go to Kafka together and settle within
 * about one produce round trip of each other, while partial acks would trickle out per produce
 * batch and bring the per-message cost back. A client that wants lower latency per vote sends
 * shorter runs (one vote per message is allowed).
 *
 * <h2>CastStream flow control</h2>
 *
 * Inbound flow control is manual and counts request messages: the server requests {@code
 * GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES} up front and one more for each ack it has <em>written</em>.
 * Acks are written only while the transport {@code isReady()}; the rest wait in the stream's queue
 * and are flushed from the on-ready callback. A fast sender is therefore held back by HTTP/2 flow
 * control once the window is used, and a client that stops reading acks stops being sent permits
 * too: per stream, at most that many messages (each at most {@code GRPC_MAX_INBOUND_MESSAGE_BYTES}
 * and {@code GRPC_STREAM_MAX_VOTES_PER_MESSAGE} votes) and their acks are held in memory, whatever
 * the client does. A message with no vote ends the stream INVALID_ARGUMENT, one with too many
 * RESOURCE_EXHAUSTED (field {@code votes} in a {@code google.rpc.BadRequest}); both are client bugs.
 *
 * <p>Kafka's I/O thread only records each vote's outcome; the ack of a run is built and written on
 * {@code executor} once the run's last vote settled, so Kafka's sender never builds or serialises
 * responses. On shutdown ({@link #beginShutdown()}) each stream stops requesting, finishes the runs
 * it holds, then ends with UNAVAILABLE so the client resends anything un-acked elsewhere. Unknown
 * protobuf fields are ignored (see {@link GrpcVotes#toCandidate}).
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
   * @param publishTimeoutMs         how long a Cast waits for Kafka before it is answered UNAVAILABLE
   *                                 (CastStream relies on the publisher's own bound, see Run#cast)
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

  /**
   * RESOURCE_EXHAUSTED, as for a message over the size cap: the run is well-formed, just longer than
   * this server takes, and splitting it works (HTTP's 413 for a batch over MAX_BATCH_SIZE).
   */
  private static StatusRuntimeException tooManyVotes(int count, int max) {
    String description = "holds " + count + " votes; at most " + max + " per message (split the run)";
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
            .setMessage("The message has too many votes: it " + description + ".")
            .addDetails(
                Any.pack(
                    BadRequest.newBuilder()
                        .addFieldViolations(
                            BadRequest.FieldViolation.newBuilder()
                                .setField("votes")
                                .setDescription(description)
                                .setReason("TOO_MANY_ITEMS"))
                        .build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
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
    private int unacked; // request messages received whose ack is not yet written
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
      int count = request.getVotesCount();
      synchronized (this) {
        if (finished) {
          return;
        }
        StatusRuntimeException refusal = refusal(request, count);
        if (refusal != null) {
          // A run that cannot be acked vote by vote means a broken client: end the stream. Runs
          // already taken are not answered; the client resends them under their vote_ids.
          finish();
          responses.onError(refusal);
          return;
        }
        unacked++;
      }
      Run run = new Run(request.getFirstSequence(), count, start);
      for (int i = 0; i < count; i++) {
        run.cast(i, request.getVotes(i));
      }
      run.castAll();
    }

    /** Why a request message cannot be taken at all, or null. */
    private StatusRuntimeException refusal(CastStreamRequest request, int count) {
      if (request == MALFORMED_STREAM_REQUEST) {
        metrics.rejected("malformed");
        return GrpcVotes.invalidArgument(List.of(malformed("quetzal.v1.CastStreamRequest")));
      }
      if (count == 0) {
        metrics.rejected("empty_message");
        return GrpcVotes.invalidArgument(
            List.of(new FieldViolation("votes", FieldViolation.REQUIRED, "must hold at least one vote")));
      }
      if (count > settings.streamMaxVotesPerMessage()) {
        metrics.rejected("too_many_items");
        return tooManyVotes(count, settings.streamMaxVotesPerMessage());
      }
      return null;
    }

    /**
     * One request message's votes, from receipt until its ack is queued. Each vote's outcome is
     * written once to its own slot; {@code pending} (one per published vote, plus one held while
     * casting) orders those writes before the reads in {@link #answer()}.
     */
    private final class Run {
      private final long firstSequence;
      private final long start;
      private final VoteEvent[] published; // null where the vote was invalid
      private final CastStreamAck.Result[] invalid; // set where the vote was invalid
      private final Throwable[] failures; // set where Kafka refused the vote
      private final AtomicInteger pending = new AtomicInteger(1);

      Run(long firstSequence, int count, long start) {
        this.firstSequence = firstSequence;
        this.start = start;
        this.published = new VoteEvent[count];
        this.invalid = new CastStreamAck.Result[count];
        this.failures = new Throwable[count];
      }

      void cast(int index, Vote request) {
        ValidationResult result = validator.validate(GrpcVotes.toCandidate(request, null), CHANNEL);
        if (result instanceof ValidationResult.Invalid bad) {
          metrics.violations(bad.violations());
          metrics.rejected("invalid");
          CastStreamAck.Result.Builder answer =
              CastStreamAck.Result.newBuilder()
                  .setSequence(firstSequence + index)
                  .setVoteId(request.getVoteId())
                  .setOutcome(CastStreamAck.Outcome.INVALID);
          bad.violations().forEach(v -> answer.addViolations(GrpcVotes.toProto(v)));
          invalid[index] = answer.build();
          return;
        }
        VoteEvent vote = ((ValidationResult.Valid) result).vote();
        published[index] = vote;
        pending.incrementAndGet();
        metrics.publishing();
        // No timer per vote or run: the publisher's own bound (Kafka's delivery.timeout.ms after at
        // most max.block.ms in send) guarantees every future completes.
        publisher.publish(vote).whenComplete((metadata, error) -> settled(index, error));
      }

      /** Called once every vote was handed over: answers now if nothing is left with Kafka. */
      void castAll() {
        if (pending.decrementAndGet() == 0) {
          answer(); // we are on the call's own thread: build and write now
        }
      }

      /** On Kafka's I/O thread (or the caller's, when send failed at once): record, hand off the last. */
      private void settled(int index, Throwable error) {
        metrics.published();
        if (error != null) {
          failures[index] = error;
        }
        if (pending.decrementAndGet() == 0) {
          try {
            executor.execute(this::answer);
          } catch (RuntimeException e) { // executor shut down: answer from here rather than never
            answer();
          }
        }
      }

      /** Builds the run's ack, one result per vote in request order, and queues it for writing. */
      private void answer() {
        CastStreamAck.Builder ack = CastStreamAck.newBuilder();
        int accepted = 0;
        int failed = 0;
        for (int i = 0; i < published.length; i++) {
          VoteEvent vote = published[i];
          if (vote == null) {
            metrics.latency(GrpcMetrics.CAST_STREAM, GrpcMetrics.Outcome.INVALID, start);
            ack.addResults(invalid[i]);
            continue;
          }
          CastStreamAck.Result.Builder result =
              ack.addResultsBuilder().setSequence(firstSequence + i).setVoteId(vote.voteId());
          if (failures[i] == null) {
            countAccepted(GrpcMetrics.CAST_STREAM, start);
            accepted++;
            result.setOutcome(CastStreamAck.Outcome.ACCEPTED);
          } else {
            onPublishFailed(GrpcMetrics.CAST_STREAM, start, vote, failures[i]);
            failed++;
            result
                .setOutcome(CastStreamAck.Outcome.UNAVAILABLE)
                .setRetryAfterMs((int) Math.min(Integer.MAX_VALUE, settings.retryAfterMs()));
          }
        }
        if (accepted > 0 && failed == 0) {
          kafkaAcknowledges(); // a run with both says nothing new: do not flip the warning back and forth
        }
        ready.add(ack.build());
        drain();
      }
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

    /** Writes what the transport takes now, requests as many new messages, and ends the call when due. */
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
    countAccepted(method, start);
    kafkaAcknowledges();
  }

  private void countAccepted(String method, long start) {
    metrics.accepted();
    metrics.latency(method, GrpcMetrics.Outcome.ACCEPTED, start);
  }

  private void kafkaAcknowledges() {
    if (publishFailing.get() && publishFailing.compareAndSet(true, false)) {
      log.info("Kafka acknowledges votes again");
    }
  }

  /** Counts and logs a vote Kafka did not take; returns the reason for the client. */
  private String onPublishFailed(String method, long start, VoteEvent vote, Throwable error) {
    PublishFailure failure = PublishFailure.of(error, settings.publishTimeoutMs());
    String why = failure.forClient();
    if (publishFailing.compareAndSet(false, true)) {
      log.warn("answering UNAVAILABLE until Kafka acknowledges again: {}", failure.forLog());
    } else {
      log.debug("vote {} refused: {}", vote.voteId(), failure.forLog());
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
