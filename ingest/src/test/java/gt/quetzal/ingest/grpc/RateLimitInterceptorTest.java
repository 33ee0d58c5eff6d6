package gt.quetzal.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.RetryInfo;
import gt.quetzal.ingest.core.ClientAddresses;
import gt.quetzal.ingest.core.ClientRateLimit;
import gt.quetzal.ingest.core.RateLimitConfig;
import gt.quetzal.ingest.core.RateLimiter;
import gt.quetzal.ingest.testing.AckCollector;
import gt.quetzal.ingest.testing.ControlledPublisher;
import gt.quetzal.ingest.testing.InProcessGrpc;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** RESOURCE_EXHAUSTED with RetryInfo per client, in process, on a limiter clock the test moves. */
class RateLimitInterceptorTest {

  private static final Vote VOTE = Vote.newBuilder().setName("Alux Nahual").setAlbum("Conquista").setYear(1983).setRank(90).build();

  private final AtomicLong now = new AtomicLong();

  private InProcessGrpc grpc(RateLimitConfig.Key key, int burst) {
    ControlledPublisher publisher = new ControlledPublisher();
    publisher.autoAck = true;
    RateLimitConfig config = new RateLimitConfig(key, 1, burst, 1_000, ClientAddresses.NO_PROXIES);
    ClientRateLimit rateLimit = new ClientRateLimit(config, new RateLimiter(1, burst, 1_000, now::get));
    return new InProcessGrpc(
        publisher,
        new VoteGrpcService.Settings(10_000, 2_000, 64),
        new RateLimitInterceptor(rateLimit, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
  }

  private static VoteServiceGrpc.VoteServiceBlockingStub stub(InProcessGrpc grpc) {
    return VoteServiceGrpc.newBlockingStub(grpc.channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  @Test
  void theGrpcServiceReadsTheSameRateLimitVariables() {
    IngestGrpcConfig config = IngestGrpcConfig.fromEnv(java.util.Map.of("RATE_LIMIT_KEY", "voterId", "RATE_LIMIT_BURST", "7"));
    assertThat(config.rateLimit().key()).isEqualTo(RateLimitConfig.Key.VOTER_ID);
    assertThat(config.rateLimit().burst()).isEqualTo(7);
    assertThat(IngestGrpcConfig.defaults().rateLimit().enabled()).as("off by default").isFalse();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> IngestGrpcConfig.fromEnv(java.util.Map.of("RATE_LIMIT_KEY", "everyone"))))
        .hasMessageContaining("RATE_LIMIT_KEY=everyone");
  }

  @Test
  void castOverTheRateGetsResourceExhaustedWithARetryDelay() throws Exception {
    try (InProcessGrpc grpc = grpc(RateLimitConfig.Key.IP, 2)) {
      assertThat(stub(grpc).cast(VOTE).getVoteId()).isNotBlank();
      assertThat(stub(grpc).cast(VOTE).getVoteId()).isNotBlank();

      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub(grpc).cast(VOTE));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      RetryInfo retry = null;
      for (Any detail : StatusProto.fromThrowable(e).getDetailsList()) {
        if (detail.is(RetryInfo.class)) {
          retry = detail.unpack(RetryInfo.class);
        }
      }
      assertThat(retry).as("a RetryInfo detail").isNotNull();
      assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(1);
      grpc.publisher.next();
      grpc.publisher.next();
      assertThat(grpc.publisher.nothingPublished()).as("the refused vote was not published").isTrue();

      now.addAndGet(1_000_000_000L);
      assertThat(stub(grpc).cast(VOTE).getVoteId()).isNotBlank();
    }
  }

  @Test
  void byVoterIdTheStatusNamesVoterId() throws Exception {
    try (InProcessGrpc grpc = grpc(RateLimitConfig.Key.VOTER_ID, 1)) {
      stub(grpc).cast(VOTE.toBuilder().setVoterId("ana").build());
      StatusRuntimeException e =
          catchThrowableOfType(StatusRuntimeException.class, () -> stub(grpc).cast(VOTE.toBuilder().setVoterId("ana").build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      BadRequest badRequest = null;
      for (Any detail : StatusProto.fromThrowable(e).getDetailsList()) {
        if (detail.is(BadRequest.class)) {
          badRequest = detail.unpack(BadRequest.class);
        }
      }
      assertThat(badRequest.getFieldViolations(0).getField()).isEqualTo("voter_id");
      assertThat(stub(grpc).cast(VOTE.toBuilder().setVoterId("beto").build()).getVoteId()).isNotBlank();
    }
  }

  @Test
  void streamMessagesWithoutVotesAreChargedToo() throws Exception {
    // an undecodable CastStream message reaches the interceptor as an empty one: it must not be free
    try (InProcessGrpc grpc = grpc(RateLimitConfig.Key.IP, 2)) {
      List<Status.Code> endings = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        AckCollector acks = new AckCollector();
        VoteServiceGrpc.newStub(grpc.channel).castStream(acks).onNext(CastStreamRequest.getDefaultInstance());
        endings.add(acks.closed.get(5, TimeUnit.SECONDS).getCode());
      }
      // the service refuses the first two as empty; the third finds the client's 2 tokens spent
      assertThat(endings)
          .containsExactly(Status.Code.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
    }
  }

  @Test
  void aStreamOverTheRateEndsResourceExhaustedAndTheServiceForgetsIt() throws Exception {
    try (InProcessGrpc grpc = grpc(RateLimitConfig.Key.IP, 3)) {
      AckCollector acks = new AckCollector();
      StreamObserver<CastStreamRequest> requests = VoteServiceGrpc.newStub(grpc.channel).castStream(acks);
      // 2 votes fit in the burst of 3; the next 2 do not
      requests.onNext(CastStreamRequest.newBuilder().setFirstSequence(1).addVotes(VOTE).addVotes(VOTE).build());
      requests.onNext(CastStreamRequest.newBuilder().setFirstSequence(3).addVotes(VOTE).addVotes(VOTE).build());
      Status status = acks.closed.get(5, TimeUnit.SECONDS);
      assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(StatusProto.fromThrowable(acks.failure).getDetailsList()).anyMatch(d -> d.is(RetryInfo.class));
      grpc.publisher.next();
      grpc.publisher.next();
      assertThat(grpc.publisher.nothingPublished()).as("the refused message's votes were not published").isTrue();
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(grpc.registry.get("quetzal.ingest.grpc.streams.active").gauge().value()).isZero());
    }
  }
}
