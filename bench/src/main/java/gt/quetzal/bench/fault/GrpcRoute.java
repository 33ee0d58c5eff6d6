package gt.quetzal.bench.fault;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import gt.quetzal.proto.v1.CastReply;
import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * gRPC {@code Cast} (one call per vote) or {@code CastStream} (one long-lived stream, one message per send
 * with the votes due, each vote's outcome read from the ack, so exactly the UNAVAILABLE ones are retried).
 * A stream that breaks, or whose oldest message waits past the attempt timeout, is cancelled: every vote
 * still un-acked on it has an unknown fate and is retried on the next stream.
 */
final class GrpcRoute implements Route {

  /** Un-acked messages per stream, under ingest's GRPC_STREAM_MAX_IN_FLIGHT_MESSAGES (16). */
  static final int MAX_MESSAGES_IN_FLIGHT = 12;
  /** Votes per message, ingest's GRPC_STREAM_MAX_VOTES_PER_MESSAGE. */
  static final int MAX_VOTES_PER_MESSAGE = 1_000;

  private final Kind kind;
  private final ManagedChannel channel;
  private final Duration timeout;
  private final AtomicInteger castsInFlight = new AtomicInteger();
  private Stream stream; // guarded by this

  /** @param stream {@code CastStream} rather than {@code Cast} */
  GrpcRoute(boolean stream, ManagedChannel channel, Duration timeout) {
    this.kind = stream ? Kind.STREAM : Kind.CAST;
    this.channel = channel;
    this.timeout = timeout;
  }

  @Override
  public Kind kind() {
    return kind;
  }

  @Override
  public synchronized int room() {
    if (kind == Kind.CAST) {
      return Math.max(0, MAX_SINGLES_IN_FLIGHT - castsInFlight.get());
    }
    if (stream != null && stream.overdue()) {
      stream.abandon("no ack within " + timeout.toSeconds() + " s");
    }
    return stream == null || stream.messages.size() < MAX_MESSAGES_IN_FLIGHT ? MAX_VOTES_PER_MESSAGE : 0;
  }

  @Override
  public void send(List<PendingVote> votes) {
    if (votes.isEmpty()) {
      return;
    }
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // After a long outage the channel's reconnect backoff can reach minutes; a send means "try now".
      channel.resetConnectBackoff();
    }
    if (kind == Kind.CAST) {
      votes.forEach(this::cast);
    } else {
      synchronized (this) {
        if (stream == null) {
          stream = new Stream();
          VoteServiceGrpc.newStub(channel).castStream(stream);
        }
        stream.send(votes);
      }
    }
  }

  private void cast(PendingVote v) {
    v.attempting();
    castsInFlight.incrementAndGet();
    Futures.addCallback(
        VoteServiceGrpc.newFutureStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).cast(v.vote),
        new FutureCallback<CastReply>() {
          @Override
          public void onSuccess(CastReply reply) {
            castsInFlight.decrementAndGet();
            v.acknowledged();
          }

          @Override
          public void onFailure(Throwable t) {
            castsInFlight.decrementAndGet();
            switch (Status.fromThrowable(t).getCode()) {
              case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, PERMISSION_DENIED, UNAUTHENTICATED,
                  UNIMPLEMENTED, NOT_FOUND, ALREADY_EXISTS -> v.refused();
              case RESOURCE_EXHAUSTED -> v.busy(OptionalLong.empty());
              default -> v.unknown(OptionalLong.empty()); // UNAVAILABLE, DEADLINE_EXCEEDED, ...
            }
          }
        },
        MoreExecutors.directExecutor());
  }

  /** One CastStream call; its messages in flight by first sequence. */
  private final class Stream implements ClientResponseObserver<CastStreamRequest, CastStreamAck> {
    final Map<Long, List<PendingVote>> messages = new HashMap<>();
    final Map<Long, Long> sentNanos = new HashMap<>();
    private ClientCallStreamObserver<CastStreamRequest> requests;
    private long nextSequence = 1;

    @Override
    public void beforeStart(ClientCallStreamObserver<CastStreamRequest> requestStream) {
      this.requests = requestStream;
    }

    void send(List<PendingVote> votes) {
      CastStreamRequest.Builder message = CastStreamRequest.newBuilder().setFirstSequence(nextSequence);
      votes.forEach(v -> {
        v.attempting();
        message.addVotes(v.vote);
      });
      messages.put(nextSequence, List.copyOf(votes));
      sentNanos.put(nextSequence, System.nanoTime());
      nextSequence += votes.size();
      requests.onNext(message.build());
    }

    boolean overdue() {
      long now = System.nanoTime();
      return sentNanos.values().stream().anyMatch(t -> now - t > timeout.toNanos());
    }

    /** Cancels the call; {@link #onError} then retries what it still held. */
    void abandon(String why) {
      requests.cancel(why, null);
    }

    @Override
    public void onNext(CastStreamAck ack) {
      List<PendingVote> votes;
      synchronized (GrpcRoute.this) {
        if (ack.getResultsCount() == 0) {
          return;
        }
        long first = ack.getResults(0).getSequence();
        votes = messages.remove(first);
        sentNanos.remove(first);
      }
      if (votes == null) {
        return;
      }
      for (int i = 0; i < ack.getResultsCount() && i < votes.size(); i++) {
        CastStreamAck.Result result = ack.getResults(i);
        PendingVote v = votes.get(i);
        switch (result.getOutcome()) {
          case ACCEPTED -> v.acknowledged();
          case INVALID -> v.refused();
          default -> v.unknown(result.getRetryAfterMs() > 0
              ? OptionalLong.of(Math.min(result.getRetryAfterMs(), 5_000)) : OptionalLong.empty());
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      List<PendingVote> orphans = new ArrayList<>();
      synchronized (GrpcRoute.this) {
        messages.values().forEach(orphans::addAll);
        messages.clear();
        sentNanos.clear();
        if (stream == this) {
          stream = null;
        }
      }
      orphans.forEach(v -> v.unknown(OptionalLong.empty()));
    }

    @Override
    public void onCompleted() {
      onError(Status.UNAVAILABLE.withDescription("the server ended the stream").asRuntimeException());
    }
  }

  @Override
  public synchronized void close() {
    if (stream != null) {
      stream.abandon("the run is over");
    }
  }
}
