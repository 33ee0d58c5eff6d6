package gt.quetzal.bench.ingest;

import gt.quetzal.proto.v1.CastReply;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code Cast} with a fixed number of calls in flight: each of {@code concurrency} "users" sends
 * its next vote from the callback of its previous answer (a closed loop with no driver thread).
 */
final class GrpcUnaryDriver implements Driver {

  private final GrpcChannels channels;
  private final List<Vote> votes;
  private final int concurrency;
  private final AtomicInteger active = new AtomicInteger();
  private final CountDownLatch done = new CountDownLatch(1);
  private final AtomicInteger next = new AtomicInteger();

  GrpcUnaryDriver(GrpcChannels channels, List<Vote> votes, int concurrency) {
    this.channels = channels;
    this.votes = List.copyOf(votes);
    this.concurrency = concurrency;
  }

  @Override
  public void start(Window window) {
    active.set(concurrency);
    for (int user = 0; user < concurrency; user++) {
      issue(window, VoteServiceGrpc.newStub(channels.get(user)));
    }
  }

  private void issue(Window window, VoteServiceGrpc.VoteServiceStub stub) {
    if (!window.running()) {
      retire();
      return;
    }
    Vote vote = votes.get(Math.floorMod(next.getAndIncrement(), votes.size()));
    long start = System.nanoTime();
    stub.withDeadlineAfter(30, TimeUnit.SECONDS)
        .cast(
            vote,
            new StreamObserver<>() {
              @Override
              public void onNext(CastReply reply) {}

              @Override
              public void onError(Throwable t) {
                window.completed(start, false);
                retire(); // do not re-issue from an error callback: it may run inline, on the caller's stack
              }

              @Override
              public void onCompleted() {
                window.completed(start, true);
                issue(window, stub);
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
