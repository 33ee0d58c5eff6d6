package gt.quetzal.bench.ingest;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The unary transport floor: {@code grpc.health.v1.Health/Check} on the ingest-grpc server, driven
 * exactly like {@link GrpcUnaryDriver} drives Cast, but with no validation and no Kafka behind it.
 */
final class GrpcFloorDriver implements Driver {

  private final GrpcChannels channels;
  private final int concurrency;
  private final AtomicInteger active = new AtomicInteger();
  private final CountDownLatch done = new CountDownLatch(1);

  GrpcFloorDriver(GrpcChannels channels, int concurrency) {
    this.channels = channels;
    this.concurrency = concurrency;
  }

  @Override
  public void start(Window window) {
    active.set(concurrency);
    for (int user = 0; user < concurrency; user++) {
      issue(window, HealthGrpc.newStub(channels.get(user)));
    }
  }

  private void issue(Window window, HealthGrpc.HealthStub stub) {
    if (!window.running()) {
      retire();
      return;
    }
    long start = System.nanoTime();
    stub.check(
        HealthCheckRequest.getDefaultInstance(),
        new StreamObserver<>() {
          @Override
          public void onNext(HealthCheckResponse value) {}

          @Override
          public void onError(Throwable t) {
            window.completed(start, false);
            retire();
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
