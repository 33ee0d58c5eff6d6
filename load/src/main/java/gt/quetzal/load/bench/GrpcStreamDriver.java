package gt.quetzal.load.bench;

import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code CastStream}: a few long-lived streams, each keeping up to {@code window} votes un-acked and
 * sending only while the transport is ready. An ack's sequence carries the slot its vote was sent
 * from ({@code counter << 16 | slot}), so latency is exact although acks arrive out of order.
 */
final class GrpcStreamDriver implements Driver {

  private final GrpcChannels channels;
  private final List<Vote> votes;
  private final int streams;
  private final int windowSize;
  private final List<StreamClient> clients = new ArrayList<>();
  private CountDownLatch done;

  GrpcStreamDriver(GrpcChannels channels, List<Vote> votes, int streams, int windowSize) {
    if (windowSize > 1 << 16) {
      throw new IllegalArgumentException("window must be at most 65536");
    }
    this.channels = channels;
    this.votes = List.copyOf(votes);
    this.streams = streams;
    this.windowSize = windowSize;
  }

  @Override
  public void start(Window window) {
    done = new CountDownLatch(streams);
    for (int s = 0; s < streams; s++) {
      StreamClient client = new StreamClient(window, s * 7919);
      clients.add(client);
      VoteServiceGrpc.newStub(channels.get(s)).castStream(client);
    }
  }

  @Override
  public void finish(Duration timeout) throws InterruptedException {
    clients.forEach(StreamClient::stop);
    done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private final class StreamClient implements ClientResponseObserver<CastStreamRequest, CastStreamAck> {
    private final Window window;
    private final long[] sentAt = new long[windowSize];
    private final int[] free = new int[windowSize];
    private int freeCount;
    private long counter;
    private int nextVote;
    private boolean halfClosed;
    private ClientCallStreamObserver<CastStreamRequest> requests;

    StreamClient(Window window, int firstVote) {
      this.window = window;
      this.nextVote = firstVote;
      for (int i = 0; i < windowSize; i++) {
        free[i] = i;
      }
      freeCount = windowSize;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<CastStreamRequest> requestStream) {
      this.requests = requestStream;
      requestStream.setOnReadyHandler(this::pump);
    }

    /** Sends while there is a free slot and the transport takes more; half-closes when stopped and idle. */
    private synchronized void pump() {
      if (halfClosed) {
        return;
      }
      while (window.running() && freeCount > 0 && requests.isReady()) {
        int slot = free[--freeCount];
        sentAt[slot] = System.nanoTime();
        requests.onNext(
            CastStreamRequest.newBuilder()
                .setSequence((counter++ << 16) | slot)
                .setVote(votes.get(Math.floorMod(nextVote++, votes.size())))
                .build());
      }
      if (!window.running() && freeCount == windowSize) {
        halfClosed = true;
        requests.onCompleted();
      }
    }

    synchronized void stop() {
      pump();
    }

    @Override
    public synchronized void onNext(CastStreamAck ack) {
      int slot = (int) (ack.getSequence() & 0xFFFF);
      window.completed(sentAt[slot], ack.getOutcome() == CastStreamAck.Outcome.ACCEPTED);
      free[freeCount++] = slot;
      pump();
    }

    @Override
    public void onError(Throwable t) {
      window.completed(System.nanoTime(), false);
      done.countDown();
    }

    @Override
    public void onCompleted() {
      done.countDown();
    }
  }
}
