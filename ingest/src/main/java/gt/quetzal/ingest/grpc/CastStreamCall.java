package gt.quetzal.ingest.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import gt.quetzal.ingest.core.CastOutcome;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.ValidationResult;
import gt.quetzal.ingest.core.VoteCandidate;
import gt.quetzal.ingest.core.VoteCaster;
import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code CastStream} call of {@link VoteGrpcService}.
 *
 * <h2>Why bidi, in runs of votes with one ack per run</h2>
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
 * <h2>Flow control</h2>
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
 * <p>A run's votes wait for Kafka's own bound ({@link VoteCaster.Wait#PUBLISHER_BOUND}), not a timer
 * per run. Kafka's I/O thread only settles the run; its ack is built and written on {@code executor},
 * so Kafka's sender never builds or serialises responses. On shutdown ({@link #shutdown()}) the
 * stream stops requesting, finishes the runs it holds, then ends with UNAVAILABLE so the client
 * resends anything un-acked elsewhere.
 */
final class CastStreamCall implements StreamObserver<CastStreamRequest> {

  private static final Logger log = LoggerFactory.getLogger(CastStreamCall.class);

  /** What a request that failed to parse becomes (compared by identity; see {@link MalformedMessages}). */
  static final CastStreamRequest MALFORMED = CastStreamRequest.newBuilder().build();

  private final VoteGrpcService service;
  private final ServerCallStreamObserver<CastStreamAck> responses;
  /** Acks ready to write; filled from any thread, emptied under the lock. */
  private final ConcurrentLinkedQueue<CastStreamAck> ready = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  // guarded by this
  private int unacked; // request messages received whose ack is not yet written
  private boolean halfClosed;
  private boolean stopping;
  private boolean finished;

  CastStreamCall(VoteGrpcService service, ServerCallStreamObserver<CastStreamAck> responses) {
    this.service = service;
    this.responses = responses;
    responses.disableAutoRequest();
    responses.setOnReadyHandler(this::drain);
    responses.setOnCancelHandler(this::abandon);
  }

  /** Asks for the first messages; called once the service counts this call as open. */
  void start() {
    responses.request(service.settings.streamMaxInFlight());
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
    List<VoteCandidate> votes = new ArrayList<>(count);
    for (Vote vote : request.getVotesList()) {
      votes.add(GrpcVotes.toCandidate(vote, null));
    }
    VoteGrpcService.whenDone(
        service.caster.castAll(votes, VoteCaster.Wait.PUBLISHER_BOUND), service.executor, outcomes -> answer(request, outcomes, start));
  }

  /** Why a request message cannot be taken at all, or null. */
  private StatusRuntimeException refusal(CastStreamRequest request, int count) {
    if (request == MALFORMED) {
      service.metrics.votes.rejected("malformed");
      return GrpcVotes.malformed("quetzal.v1.CastStreamRequest");
    }
    if (count == 0) {
      service.metrics.votes.rejected("empty_message");
      return GrpcVotes.invalidArgument(
          List.of(new FieldViolation("votes", FieldViolation.REQUIRED, "must hold at least one vote")));
    }
    if (count > service.settings.streamMaxVotesPerMessage()) {
      service.metrics.votes.rejected("too_many_items");
      return tooManyVotes(count, service.settings.streamMaxVotesPerMessage());
    }
    return null;
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

  /** The run's ack, one result per vote in request order, queued for writing. */
  private void answer(CastStreamRequest request, List<CastOutcome> outcomes, long start) {
    // One ack answers the whole run, so every vote of it waited the same time.
    long elapsedNanos = System.nanoTime() - start;
    CastStreamAck.Builder ack = CastStreamAck.newBuilder();
    for (int i = 0; i < outcomes.size(); i++) {
      CastOutcome outcome = outcomes.get(i);
      service.metrics.latencyNanos(GrpcMetrics.CAST_STREAM, outcome, elapsedNanos);
      // Built on its own and added whole: a nested builder per vote (addResultsBuilder) costs a second
      // copy of every result when the ack is built.
      CastStreamAck.Result.Builder result = CastStreamAck.Result.newBuilder().setSequence(request.getFirstSequence() + i);
      if (outcome instanceof CastOutcome.Accepted accepted) {
        result.setVoteId(accepted.voteId()).setOutcome(CastStreamAck.Outcome.ACCEPTED);
      } else if (outcome instanceof CastOutcome.Unavailable unavailable) {
        result
            .setVoteId(unavailable.voteId())
            .setOutcome(CastStreamAck.Outcome.UNAVAILABLE)
            .setRetryAfterMs((int) Math.min(Integer.MAX_VALUE, service.settings.retryAfterMs()));
      } else if (outcome instanceof ValidationResult.Invalid invalid) {
        result.setVoteId(request.getVotes(i).getVoteId()).setOutcome(CastStreamAck.Outcome.INVALID);
        invalid.violations().forEach(v -> result.addViolations(GrpcVotes.toProto(v)));
      } else {
        throw new IllegalStateException("a streamed vote cannot be " + outcome);
      }
      ack.addResults(result.build());
    }
    ready.add(ack.build());
    drain();
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

  /** Stops requesting; the stream ends UNAVAILABLE once the runs it holds are acked. */
  void shutdown() {
    synchronized (this) {
      stopping = true;
    }
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        service.executor.execute(this::drain);
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
      service.finished(this);
    }
  }
}
