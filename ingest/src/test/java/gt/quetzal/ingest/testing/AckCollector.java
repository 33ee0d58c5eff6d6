package gt.quetzal.ingest.testing;

import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of a CastStream call in tests: collects acks and the final status, and can read
 * acks only when asked ({@code initialRequests} &ge; 0), to play a slow client.
 */
public final class AckCollector implements ClientResponseObserver<CastStreamRequest, CastStreamAck> {

  private final int initialRequests;
  private final BlockingQueue<CastStreamAck> acks = new LinkedBlockingQueue<>();
  /** Completes with OK on onCompleted, or with the status of onError. */
  public final CompletableFuture<Status> closed = new CompletableFuture<>();
  /** What onError received (a StatusRuntimeException with the trailers), or null. */
  public volatile Throwable failure;
  private volatile ClientCallStreamObserver<CastStreamRequest> requests;

  /** Reads every ack as it comes. */
  public AckCollector() {
    this(-1);
  }

  /** Reads only {@code initialRequests} acks until {@link #request(int)} asks for more; -1 reads all. */
  public AckCollector(int initialRequests) {
    this.initialRequests = initialRequests;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<CastStreamRequest> requestStream) {
    this.requests = requestStream;
    if (initialRequests >= 0) {
      requestStream.disableAutoRequestWithInitial(initialRequests);
    }
  }

  public void request(int count) {
    requests.request(count);
  }

  @Override
  public void onNext(CastStreamAck ack) {
    acks.add(ack);
  }

  @Override
  public void onError(Throwable t) {
    failure = t;
    closed.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    closed.complete(Status.OK);
  }

  /** The next ack, waiting up to 5 s. */
  public CastStreamAck next() throws InterruptedException {
    CastStreamAck ack = acks.poll(5, TimeUnit.SECONDS);
    if (ack == null) {
      throw new AssertionError("no ack within 5 s");
    }
    return ack;
  }

  public int received() {
    return acks.size();
  }
}
