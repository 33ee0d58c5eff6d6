package gt.quetzal.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.testing.AckCollector;
import gt.quetzal.ingest.testing.ControlledPublisher;
import gt.quetzal.ingest.testing.InProcessGrpc;
import gt.quetzal.proto.v1.CastReply;
import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VoteGrpcServiceTest {

  private static final Vote SEED =
      Vote.newBuilder().setName("Malacates Trébol Shop").setAlbum("Resaca").setYear(2002).setRank(87).build();

  private final ControlledPublisher publisher = new ControlledPublisher();
  private InProcessGrpc grpc;

  private InProcessGrpc grpc() {
    if (grpc == null) {
      grpc = new InProcessGrpc(publisher);
    }
    return grpc;
  }

  private InProcessGrpc grpc(VoteGrpcService.Settings settings) {
    grpc = new InProcessGrpc(publisher, settings);
    return grpc;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (grpc != null) {
      grpc.close();
    }
  }

  private VoteServiceGrpc.VoteServiceFutureStub futureStub() {
    return VoteServiceGrpc.newFutureStub(grpc().channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) throws Exception {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).as("rich status details").isNotNull();
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        return any.unpack(type);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + status.getDetailsList());
  }

  private static StatusRuntimeException failure(CompletableFuture<?> future) {
    return failure(() -> future.get(5, TimeUnit.SECONDS));
  }

  private static StatusRuntimeException failure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
    while (thrown != null && !(thrown instanceof StatusRuntimeException)) {
      thrown = thrown.getCause();
    }
    assertThat(thrown).as("a gRPC status").isInstanceOf(StatusRuntimeException.class);
    return (StatusRuntimeException) thrown;
  }

  private static <T> CompletableFuture<T> toCompletable(com.google.common.util.concurrent.ListenableFuture<T> future) {
    CompletableFuture<T> result = new CompletableFuture<>();
    future.addListener(
        () -> {
          try {
            result.complete(future.get());
          } catch (java.util.concurrent.ExecutionException e) {
            result.completeExceptionally(e.getCause());
          } catch (InterruptedException e) {
            result.completeExceptionally(e);
          }
        },
        Runnable::run);
    return result;
  }

  // ---- Cast ----------------------------------------------------------------------------------

  @Test
  void castAnswersOkOnlyAfterKafkaAcknowledged() throws Exception {
    CompletableFuture<CastReply> reply = toCompletable(futureStub().cast(SEED));
    ControlledPublisher.Pending pending = publisher.next();
    // No window of "still no reply": the reply records whether Kafka's ack had happened when it came,
    // and publishFailureIsUnavailableWithRetryInfoAndTheVoteIdToRetryWith proves the reply waits for
    // Kafka's answer (a reply sent before it could not carry the failure).
    CompletableFuture<Boolean> ackedWhenReplied = reply.handle((answer, error) -> pending.future().isDone());
    assertThat(reply).as("no reply before Kafka acknowledged").isNotDone();

    pending.ack();
    assertThat(reply.get(5, TimeUnit.SECONDS).getVoteId()).isEqualTo(pending.vote().voteId());
    assertThat(ackedWhenReplied.get(5, TimeUnit.SECONDS)).as("the reply came after the ack").isTrue();
    VoteEvent vote = pending.vote();
    assertThat(java.util.UUID.fromString(vote.voteId()).version()).isEqualTo(7);
    assertThat(vote)
        .isEqualTo(
            new VoteEvent(vote.voteId(), "Malacates Trébol Shop", "Resaca", 2002, 87, null, "grpc", InProcessGrpc.NOW.toEpochMilli()));
    assertThat(grpc.registry.get("quetzal.ingest.votes.accepted").tag("channel", "grpc").counter().count()).isEqualTo(1.0);
    assertThat(grpc.registry.get("quetzal.ingest.grpc.votes").tag("method", "Cast").tag("outcome", "accepted").timer().count())
        .isEqualTo(1);
  }

  @Test
  void decomposedAccentsAreStoredInNfcAndOptionalFieldsPassThrough() throws Exception {
    publisher.autoAck = true;
    String nfd = Normalizer.normalize("Malacates Trébol Shop", Normalizer.Form.NFD);
    Vote vote = SEED.toBuilder().setName("  " + nfd + " ").setVoterId("voter-7").setVoteId("vote-00000000001").build();
    CastReply reply = VoteServiceGrpc.newBlockingStub(grpc().channel).cast(vote);
    assertThat(reply.getVoteId()).isEqualTo("vote-00000000001");
    VoteEvent published = publisher.next().vote();
    assertThat(published.name()).isEqualTo("Malacates Trébol Shop");
    assertThat(published.voterId()).isEqualTo("voter-7");
    assertThat(published.voteId()).isEqualTo("vote-00000000001");
  }

  @Test
  void publishFailureIsUnavailableWithRetryInfoAndTheVoteIdToRetryWith() throws Exception {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), "retry-me-0000001");
    CompletableFuture<CastReply> reply =
        toCompletable(futureStub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).cast(SEED));
    ControlledPublisher.Pending pending = publisher.next();
    assertThat(pending.vote().voteId()).isEqualTo("retry-me-0000001");
    pending.fail(new NotEnoughReplicasException("not enough in-sync replicas"));

    StatusRuntimeException e = failure(reply);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    // The client learns to retry, not how the deployment is built: no exception class, no ISR detail.
    assertThat(e.getStatus().getDescription()).contains("Kafka could not take the vote right now")
        .doesNotContain("NotEnoughReplicasException", "in-sync");
    assertThat(detail(e, RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(2);
    assertThat(detail(e, ErrorInfo.class).getMetadataMap()).containsEntry("vote_id", "retry-me-0000001");
    assertThat(grpc.registry.get("quetzal.ingest.votes.rejected").tag("reason", "unavailable").counter().count()).isEqualTo(1.0);
    assertThat(grpc.registry.get("quetzal.ingest.votes.accepted").tag("channel", "grpc").counter().count()).isZero();
  }

  @Test
  void noAnswerFromKafkaWithinThePublishTimeoutIsUnavailable() throws Exception {
    grpc(new VoteGrpcService.Settings(200, 1_500, 64));
    CompletableFuture<CastReply> reply = toCompletable(futureStub().cast(SEED));
    ControlledPublisher.Pending pending = publisher.next(); // never acknowledged in time

    StatusRuntimeException e = failure(reply);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).contains("within 200 ms");
    assertThat(detail(e, RetryInfo.class).getRetryDelay().getNanos()).isEqualTo(500_000_000);
    assertThat(detail(e, ErrorInfo.class).getMetadataMap()).containsEntry("vote_id", pending.vote().voteId());
    pending.ack(); // late: must not turn into anything else
    assertThat(grpc.registry.get("quetzal.ingest.votes.accepted").tag("channel", "grpc").counter().count()).isZero();
  }

  @Test
  void invalidVoteIsInvalidArgumentWithBadRequestFieldsAndIsNotPublished() throws Exception {
    Vote bad = Vote.newBuilder().setName(" ").setYear(1800).setRank(0).setVoterId("x".repeat(201)).build();
    StatusRuntimeException e = failure(() -> VoteServiceGrpc.newBlockingStub(grpc().channel).cast(bad));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    List<String> fields = new ArrayList<>();
    for (BadRequest.FieldViolation v : detail(e, BadRequest.class).getFieldViolationsList()) {
      fields.add(v.getField() + ":" + v.getReason());
      assertThat(v.getDescription()).isNotBlank();
    }
    assertThat(fields).containsExactly("name:BLANK", "album:REQUIRED", "year:OUT_OF_RANGE", "rank:OUT_OF_RANGE", "voter_id:TOO_LONG");
    assertThat(e.getStatus().getDescription()).contains("name, album, year, rank, voter_id");
    assertThat(publisher.nothingPublished()).isTrue();
    assertThat(grpc.registry.get("quetzal.ingest.votes.violations").tag("field", "voter_id").counter().count()).isEqualTo(1.0);
  }

  @Test
  void idempotencyKeyMetadataMustAgreeWithVoteId() {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), "idempotency-one-1");
    StatusRuntimeException e =
        failure(
            () ->
                VoteServiceGrpc.newBlockingStub(grpc().channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .cast(SEED.toBuilder().setVoteId("idempotency-two-2").build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("vote_id");
    assertThat(publisher.nothingPublished()).isTrue();
  }

  @Test
  void anExpiredDeadlineEndsTheCallAndALateAckIsStillCounted() throws Exception {
    CompletableFuture<CastReply> reply =
        toCompletable(VoteServiceGrpc.newFutureStub(grpc().channel).withDeadlineAfter(200, TimeUnit.MILLISECONDS).cast(SEED));
    ControlledPublisher.Pending pending = publisher.next();
    assertThat(failure(reply).getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    pending.ack(); // Kafka stored it after all: it counts, and the server must not choke answering a dead call
    await().atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () -> assertThat(grpc.registry.get("quetzal.ingest.votes.accepted").tag("channel", "grpc").counter().count()).isEqualTo(1.0));
  }

  // ---- CastStream ----------------------------------------------------------------------------

  private static CastStreamRequest run(long firstSequence, Vote... votes) {
    return CastStreamRequest.newBuilder().setFirstSequence(firstSequence).addAllVotes(List.of(votes)).build();
  }

  private static List<Long> sequences(CastStreamAck ack) {
    return ack.getResultsList().stream().map(CastStreamAck.Result::getSequence).toList();
  }

  @Test
  void aRunIsAckedOnceEveryVoteSettledWithEachVotesSequenceAndOutcomeInRequestOrder() throws Exception {
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc().channel).castStream(acks);
    requests.onNext(
        run(
            10,
            SEED.toBuilder().setVoteId("stream-vote-0010").build(),
            SEED.toBuilder().setRank(101).setVoteId("stream-vote-0011").build(),
            SEED.toBuilder().setVoteId("stream-vote-0012").build(),
            Vote.getDefaultInstance(), // a vote with nothing in it
            SEED));

    ControlledPublisher.Pending ten = publisher.next();
    ControlledPublisher.Pending twelve = publisher.next();
    ControlledPublisher.Pending fourteen = publisher.next();
    assertThat(List.of(ten.vote().voteId(), twelve.vote().voteId())).containsExactly("stream-vote-0010", "stream-vote-0012");

    // Kafka answers out of order; the run's ack waits for its last vote, invalid ones included.
    fourteen.ack();
    twelve.fail(new org.apache.kafka.common.errors.TimeoutException("Expiring 1 record(s)"));
    // Checked at once rather than over a window: the first ack read below must carry ten's ACCEPTED,
    // which exists only after ten.ack(), so an ack written before the run settled fails it.
    assertThat(acks.received()).as("no ack while vote 10 is unsettled").isZero();
    ten.ack();

    CastStreamAck ack = acks.next();
    assertThat(sequences(ack)).containsExactly(10L, 11L, 12L, 13L, 14L);
    List<CastStreamAck.Result> results = ack.getResultsList();
    assertThat(results).extracting(CastStreamAck.Result::getOutcome)
        .containsExactly(
            CastStreamAck.Outcome.ACCEPTED, CastStreamAck.Outcome.INVALID, CastStreamAck.Outcome.UNAVAILABLE,
            CastStreamAck.Outcome.INVALID, CastStreamAck.Outcome.ACCEPTED);
    assertThat(results).extracting(CastStreamAck.Result::getVoteId)
        .containsExactly("stream-vote-0010", "stream-vote-0011", "stream-vote-0012", "", fourteen.vote().voteId());
    assertThat(results.get(1).getViolationsList()).extracting(gt.quetzal.proto.v1.FieldViolation::getField).containsExactly("rank");
    assertThat(results.get(3).getViolationsList())
        .extracting(gt.quetzal.proto.v1.FieldViolation::getField)
        .contains("name", "album", "year", "rank");
    assertThat(results.get(2).getRetryAfterMs()).isEqualTo(2_000);
    assertThat(results.get(0).getRetryAfterMs()).isZero();
    assertThat(results.get(0).getViolationsList()).isEmpty();

    requests.onCompleted();
    assertThat(acks.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(acks.received()).isZero(); // exactly one ack for the one run
    assertThat(grpc.registry.get("quetzal.ingest.votes.accepted").tag("channel", "grpc").counter().count()).isEqualTo(2.0);
    assertThat(grpc.registry.get("quetzal.ingest.votes.rejected").tag("reason", "invalid").counter().count()).isEqualTo(2.0);
    assertThat(grpc.registry.get("quetzal.ingest.votes.rejected").tag("reason", "unavailable").counter().count()).isEqualTo(1.0);
    assertThat(grpc.registry.get("quetzal.ingest.grpc.votes").tag("method", "CastStream").tag("outcome", "accepted").timer().count())
        .isEqualTo(2);
    assertThat(grpc.registry.get("quetzal.ingest.grpc.streams.active").gauge().value()).isZero();
  }

  @Test
  void runsAreAckedInTheOrderTheySettleNotTheOrderTheyWereSent() throws Exception {
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc().channel).castStream(acks);
    requests.onNext(run(100, SEED, SEED));
    ControlledPublisher.Pending first = publisher.next();
    ControlledPublisher.Pending second = publisher.next();
    requests.onNext(run(102, SEED));
    ControlledPublisher.Pending third = publisher.next();

    third.ack();
    assertThat(sequences(acks.next())).containsExactly(102L);
    second.ack();
    first.ack();
    CastStreamAck ack = acks.next();
    assertThat(sequences(ack)).containsExactly(100L, 101L);
    assertThat(ack.getResultsList()).extracting(CastStreamAck.Result::getVoteId)
        .containsExactly(first.vote().voteId(), second.vote().voteId());
  }

  @Test
  void aRunWithOnlyInvalidVotesIsAnsweredAtOnce() throws Exception {
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc().channel).castStream(acks);
    requests.onNext(run(7, SEED.toBuilder().setYear(1800).build(), SEED.toBuilder().clearName().build()));
    CastStreamAck ack = acks.next();
    assertThat(sequences(ack)).containsExactly(7L, 8L);
    assertThat(ack.getResultsList()).extracting(CastStreamAck.Result::getOutcome).containsOnly(CastStreamAck.Outcome.INVALID);
    assertThat(ack.getResults(0).getViolations(0).getField()).isEqualTo("year");
    assertThat(ack.getResults(1).getViolations(0).getField()).isEqualTo("name");
    assertThat(publisher.nothingPublished()).isTrue();
  }

  @Test
  void aRunWithoutVotesEndsTheStreamInvalidArgumentNamingVotes() throws Exception {
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc().channel).castStream(acks);
    requests.onNext(CastStreamRequest.newBuilder().setFirstSequence(1).build());
    assertThat(acks.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    BadRequest badRequest = detail((StatusRuntimeException) acks.failure, BadRequest.class);
    assertThat(badRequest.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).containsExactly("votes");
    assertThat(badRequest.getFieldViolations(0).getReason()).isEqualTo("REQUIRED");
    assertThat(grpc.registry.get("quetzal.ingest.grpc.streams.active").gauge().value()).isZero();
  }

  @Test
  void aRunOverTheVotesCapEndsTheStreamResourceExhaustedAndPublishesNothing() throws Exception {
    grpc(new VoteGrpcService.Settings(10_000, 2_000, 64, 3));
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc.channel).castStream(acks);
    requests.onNext(run(1, SEED, SEED, SEED)); // at the cap: taken
    for (int i = 0; i < 3; i++) {
      publisher.next().ack();
    }
    assertThat(sequences(acks.next())).containsExactly(1L, 2L, 3L);

    requests.onNext(run(4, SEED, SEED, SEED, SEED));
    Status status = acks.closed.get(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("4 votes").contains("at most 3");
    BadRequest badRequest = detail((StatusRuntimeException) acks.failure, BadRequest.class);
    assertThat(badRequest.getFieldViolations(0).getField()).isEqualTo("votes");
    assertThat(badRequest.getFieldViolations(0).getReason()).isEqualTo("TOO_MANY_ITEMS");
    assertThat(publisher.nothingPublished()).isTrue();
  }

  @Test
  void streamEndsOnlyAfterTheLastAckOfAHalfClosedStream() throws Exception {
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc().channel).castStream(acks);
    requests.onNext(run(1, SEED));
    requests.onCompleted();
    ControlledPublisher.Pending pending = publisher.next();
    // Checked at once rather than over a window: the ack read below could not arrive on a stream the
    // server had already ended, so receiving it proves the end waited for it.
    assertThat(acks.closed).as("the stream is still open").isNotDone();
    pending.ack();
    assertThat(acks.next().getResults(0).getOutcome()).isEqualTo(CastStreamAck.Outcome.ACCEPTED);
    assertThat(acks.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
  }

  /**
   * The server side of each call, seen from the transport: every request for more messages is checked,
   * as it happens, against the bound (messages asked for at most the bound plus the acks written), and
   * every ack against readiness (written only while the transport is ready). Checked per event, these
   * replace windows of "nothing more was published for N ms": gRPC delivers only messages asked for.
   */
  private static final class FlowWatch implements io.grpc.ServerInterceptor {
    private final int bound;
    final java.util.concurrent.atomic.AtomicInteger requested = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
    final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();

    FlowWatch(int bound) {
      this.bound = bound;
    }

    @Override
    public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
        io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
      return next.startCall(
          new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call) {
            @Override
            public void request(int numMessages) {
              int total = requested.addAndGet(numMessages);
              if (total > bound + written.get()) {
                violations.add("asked for " + total + " messages with " + written.get() + " acks written, bound " + bound);
              }
              super.request(numMessages);
            }

            @Override
            public void sendMessage(R message) {
              if (!isReady()) {
                violations.add("an ack written while the transport was not ready");
              }
              written.incrementAndGet();
              super.sendMessage(message);
            }
          },
          headers);
    }
  }

  @Test
  void streamRequestsNoMoreMessagesThanItsInFlightBound() throws Exception {
    FlowWatch watch = new FlowWatch(4);
    grpc = new InProcessGrpc(publisher, new VoteGrpcService.Settings(10_000, 2_000, 4), watch);
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc.channel).castStream(acks);
    for (int i = 0; i < 10; i++) {
      requests.onNext(run(2L * i, SEED, SEED)); // two votes per message
    }
    List<ControlledPublisher.Pending> first = new ArrayList<>();
    for (int i = 0; i < 8; i++) { // four messages' worth
      first.add(publisher.next());
    }
    assertThat(watch.requested).as("the bound, asked for at the start").hasValue(4);
    assertThat(publisher.waiting()).isZero();

    first.get(0).ack(); // half a run settled: no ack yet, so no new message either
    assertThat(watch.written).hasValue(0);
    first.get(1).ack(); // the first run's ack is written: one more message may come in
    assertThat(sequences(acks.next())).containsExactly(0L, 1L);
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.requested.get() == 5);
    List<VoteEvent> fifth = List.of(publisher.next().vote(), publisher.next().vote());
    assertThat(fifth).extracting(VoteEvent::name).containsOnly("Malacates Trébol Shop");
    assertThat(publisher.waiting()).isZero();
    assertThat(watch.violations).isEmpty();
  }

  @Test
  void aClientThatReadsNoAcksIsSentNoMorePermits() throws Exception {
    FlowWatch watch = new FlowWatch(4);
    grpc = new InProcessGrpc(publisher, new VoteGrpcService.Settings(10_000, 2_000, 4), watch);
    publisher.autoAck = true;
    AckCollector acks = new AckCollector(0); // reads nothing until asked
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc.channel).castStream(acks);
    for (int i = 0; i < 10; i++) {
      requests.onNext(run(i, SEED));
    }
    for (int i = 0; i < 4; i++) {
      publisher.next();
    }
    // Acks are ready but the transport is not: the server holds them and asks for no more messages.
    // FlowWatch records an ack written while not ready, or a request beyond the bound, when it happens.
    assertThat(watch.requested).hasValue(4);
    assertThat(publisher.waiting()).isZero();
    assertThat(acks.received()).isZero();

    acks.request(2);
    acks.next();
    acks.next();
    // Two acks written: two more messages asked for, and no more.
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.requested.get() == 6);
    publisher.next();
    publisher.next();
    assertThat(publisher.waiting()).isZero();
    assertThat(watch.written).as("the other acks wait for the client").hasValue(2);
    assertThat(watch.violations).isEmpty();
  }

  @Test
  void idempotencyKeyMetadataIsRejectedOnAStream() throws Exception {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), "k-1");
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests =
        VoteServiceGrpc.newStub(grpc().channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).castStream(acks);
    requests.onNext(run(1, SEED));
    Status status = acks.closed.get(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("idempotency-key");
    assertThat(publisher.nothingPublished()).isTrue();
  }

  @Test
  void shutdownLetsStreamsFinishTheirRunsThenEndsThemUnavailable() throws Exception {
    AckCollector acks = new AckCollector();
    StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc().channel).castStream(acks);
    requests.onNext(run(1, SEED, SEED));
    ControlledPublisher.Pending one = publisher.next();
    ControlledPublisher.Pending two = publisher.next();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(grpc.server::close);
    // Checked at once rather than over a window: the run's ack read below could not arrive on a stream
    // the shutdown had already ended, so receiving it proves the shutdown waited for the run.
    assertThat(acks.closed).as("the stream is still open").isNotDone();
    one.ack();
    two.ack();
    assertThat(acks.next().getResultsList()).extracting(CastStreamAck.Result::getOutcome)
        .containsExactly(CastStreamAck.Outcome.ACCEPTED, CastStreamAck.Outcome.ACCEPTED);
    Status end = acks.closed.get(5, TimeUnit.SECONDS);
    assertThat(end.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(end.getDescription()).contains("shutting down");
    closing.get(5, TimeUnit.SECONDS);
  }

  // ---- health, reflection ----------------------------------------------------------------------

  @Test
  void healthFollowsThePublisher() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(grpc().channel);
    HealthCheckRequest whole = HealthCheckRequest.getDefaultInstance();
    HealthCheckRequest votes = HealthCheckRequest.newBuilder().setService(VoteServiceGrpc.SERVICE_NAME).build();
    await().atMost(Duration.ofSeconds(2)).until(() -> health.check(whole).getStatus() == ServingStatus.SERVING);
    assertThat(health.check(votes).getStatus()).isEqualTo(ServingStatus.SERVING);

    publisher.health = gt.quetzal.ingest.core.PublisherHealth.down("Kafka unreachable");
    await().atMost(Duration.ofSeconds(2)).until(() -> health.check(votes).getStatus() == ServingStatus.NOT_SERVING);

    publisher.health = gt.quetzal.ingest.core.PublisherHealth.up("back");
    await().atMost(Duration.ofSeconds(2)).until(() -> health.check(whole).getStatus() == ServingStatus.SERVING);
  }

  @Test
  void closingTurnsHealthNotServingForGood() throws Exception {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(grpc().channel);
    await().atMost(Duration.ofSeconds(2)).until(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING);
    grpc.server.close();
    assertThatThrownBy(() -> health.check(HealthCheckRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class); // the server no longer takes calls at all
  }

  @Test
  void reflectionListsTheVoteAndHealthServices() throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(grpc().channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    names.complete(
                        response.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    assertThat(names.get(5, TimeUnit.SECONDS)).contains("quetzal.v1.VoteService", "grpc.health.v1.Health");
    requests.onCompleted();
  }
}
