package gt.quetzal.bench.ingest;

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
 * {@code CastStream}: a few long-lived streams, each sending runs of {@code batch} votes per message
 * and keeping up to {@code window} votes (so {@code window / batch} messages) un-acked, sending only
 * while the transport is ready. A message's {@code first_sequence} carries the slot it was sent from
 * ({@code counter << 32 | slot << 16}, the vote's index in the low 16 bits), so the first result of
 * an ack names its message and latency is exact although acks arrive out of order. As for the HTTP
 * batch, a message counts only when every vote in it is ACCEPTED, and latency is per message.
 */
final class GrpcStreamDriver implements Driver {

  static final int MAX_BATCH = (1 << 16) - 1;
  static final int MAX_MESSAGES_IN_FLIGHT = 1 << 16;

  private final GrpcChannels channels;
  private final List<List<Vote>> runs;
  private final int streams;
  private final int batch;
  private final int messagesInFlight;
  private final List<StreamClient> clients = new ArrayList<>();
  private CountDownLatch done;

  /**
   * @param window un-acked votes per stream; rounded down to whole messages, at least one
   * @param batch  votes per message
   */
  GrpcStreamDriver(GrpcChannels channels, List<Vote> votes, int streams, int window, int batch) {
    if (batch < 1 || batch > MAX_BATCH) {
      throw new IllegalArgumentException("batch must be 1.." + MAX_BATCH);
    }
    this.messagesInFlight = messagesInFlight(window, batch);
    this.channels = channels;
    this.streams = streams;
    this.batch = batch;
    // Distinct runs taken in turn, so consecutive messages do not repeat the same votes.
    List<List<Vote>> runs = new ArrayList<>();
    int distinct = Math.max(1, Math.min(64, votes.size() / batch));
    for (int r = 0; r < distinct; r++) {
      List<Vote> run = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        run.add(votes.get((r * batch + i) % votes.size()));
      }
      runs.add(List.copyOf(run));
    }
    this.runs = List.copyOf(runs);
  }

  /** Messages each stream keeps un-acked for a window of {@code window} votes. */
  static int messagesInFlight(int window, int batch) {
    int messages = Math.max(1, window / batch);
    if (messages > MAX_MESSAGES_IN_FLIGHT) {
      throw new IllegalArgumentException("window / batch must be at most " + MAX_MESSAGES_IN_FLIGHT);
    }
    return messages;
  }

  /** The first sequence of a message sent from {@code slot}; its votes follow in the low 16 bits. */
  static long firstSequence(long counter, int slot) {
    return (counter << 32) | ((long) slot << 16);
  }

  /** The slot a vote's sequence was sent from. */
  static int slotOf(long sequence) {
    return (int) ((sequence >>> 16) & 0xFFFF);
  }

  @Override
  public void start(Window window) {
    done = new CountDownLatch(streams);
    for (int s = 0; s < streams; s++) {
      StreamClient client = new StreamClient(window, s * 7);
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
    private final long[] sentAt = new long[messagesInFlight];
    private final int[] free = new int[messagesInFlight];
    private int freeCount;
    private long counter;
    private int nextRun;
    private boolean halfClosed;
    private ClientCallStreamObserver<CastStreamRequest> requests;

    StreamClient(Window window, int firstRun) {
      this.window = window;
      this.nextRun = firstRun;
      for (int i = 0; i < messagesInFlight; i++) {
        free[i] = i;
      }
      freeCount = messagesInFlight;
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
                .setFirstSequence(firstSequence(counter++, slot))
                .addAllVotes(runs.get(Math.floorMod(nextRun++, runs.size())))
                .build());
      }
      if (!window.running() && freeCount == messagesInFlight) {
        halfClosed = true;
        requests.onCompleted();
      }
    }

    synchronized void stop() {
      pump();
    }

    @Override
    public synchronized void onNext(CastStreamAck ack) {
      if (ack.getResultsCount() == 0) { // cannot tell which message it answers; the stream is broken
        window.completed(System.nanoTime(), false);
        return;
      }
      int slot = slotOf(ack.getResults(0).getSequence());
      boolean allAccepted = ack.getResultsCount() == batch;
      for (int i = 0; allAccepted && i < ack.getResultsCount(); i++) {
        allAccepted = ack.getResults(i).getOutcome() == CastStreamAck.Outcome.ACCEPTED;
      }
      window.completed(sentAt[slot], allAccepted);
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
