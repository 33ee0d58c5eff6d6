package gt.quetzal.bench.ingest;

import gt.quetzal.proto.v1.CastReply;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A unary call with a fixed number in flight: each of {@code concurrency} "users" sends its next call
 * from the callback of its previous answer (a closed loop with no driver thread). {@link #cast} drives
 * {@code Cast}; {@link #healthCheck} drives {@code grpc.health.v1.Health/Check} the same way, with no
 * validation and no Kafka behind it: the transport floor.
 */
final class GrpcUnaryDriver<T> implements Driver {

  /** Sends one call on {@code channel}; {@code answer} hears how it ended. */
  @FunctionalInterface
  interface Call<T> {
    void send(Channel channel, StreamObserver<T> answer);
  }

  private final GrpcChannels channels;
  private final int concurrency;
  private final Call<T> call;
  private final AtomicInteger active = new AtomicInteger();
  private final CountDownLatch done = new CountDownLatch(1);

  GrpcUnaryDriver(GrpcChannels channels, int concurrency, Call<T> call) {
    this.channels = channels;
    this.concurrency = concurrency;
    this.call = call;
  }

  /** {@code Cast}, the votes taken in turn. */
  static GrpcUnaryDriver<CastReply> cast(GrpcChannels channels, List<Vote> votes, int concurrency) {
    List<Vote> all = List.copyOf(votes);
    AtomicInteger next = new AtomicInteger();
    return new GrpcUnaryDriver<>(channels, concurrency, (channel, answer) ->
        VoteServiceGrpc.newStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .cast(all.get(Math.floorMod(next.getAndIncrement(), all.size())), answer));
  }

  static GrpcUnaryDriver<HealthCheckResponse> healthCheck(GrpcChannels channels, int concurrency) {
    return new GrpcUnaryDriver<>(channels, concurrency,
        (channel, answer) -> HealthGrpc.newStub(channel).check(HealthCheckRequest.getDefaultInstance(), answer));
  }

  @Override
  public void start(Window window) {
    active.set(concurrency);
    for (int user = 0; user < concurrency; user++) {
      issue(window, channels.get(user));
    }
  }

  private void issue(Window window, Channel channel) {
    if (!window.running()) {
      retire();
      return;
    }
    long start = System.nanoTime();
    call.send(channel, new StreamObserver<>() {
      @Override
      public void onNext(T reply) {}

      @Override
      public void onError(Throwable t) {
        window.completed(start, false);
        retire(); // do not re-issue from an error callback: it may run inline, on the caller's stack
      }

      @Override
      public void onCompleted() {
        window.completed(start, true);
        issue(window, channel);
      }
    });
  }

  private void retire() {
    if (active.decrementAndGet() == 0) {
      done.countDown();
    }
  }

  @Override
  public void finish(Duration timeout) throws InterruptedException {
    done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
