package gt.quetzal.ingest.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import gt.quetzal.ingest.core.ClientRateLimit;
import gt.quetzal.ingest.core.RateLimiter;
import gt.quetzal.ingest.core.VoteCounters;
import gt.quetzal.proto.v1.Vote;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-client rate limiting for {@code quetzal.v1.VoteService}, kept out of the service itself: every
 * request message is charged for the votes it carries ({@link ClientRateLimit}), before the service
 * sees it. Over the limit, the call ends {@code RESOURCE_EXHAUSTED} with a {@code
 * google.rpc.RetryInfo} delay (and, when the bucket was the voterId's, a {@code BadRequest} naming
 * {@code voter_id}); nothing of the refused message reaches the service.
 *
 * <p>For a CastStream this ends the whole stream: votes of earlier messages still in Kafka's hands
 * get no ack, and the client resends them (under their vote_ids, so they count once) after the
 * delay, as after any broken stream. The service is told the call was cancelled, so it drops what
 * it held for the stream; writes it attempts afterwards are ignored.
 *
 * <p>Votes are found by walking the message for {@code quetzal.v1.Vote} values, so the interceptor
 * does not depend on how a request packs them (one per Cast, a run per CastStream message).
 */
public final class RateLimitInterceptor implements ServerInterceptor {

  static final Metadata.Key<String> FORWARDED_FOR = Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);

  private final ClientRateLimit rateLimit;
  private final VoteCounters counters;

  public RateLimitInterceptor(ClientRateLimit rateLimit, MeterRegistry registry) {
    this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
    this.counters = GrpcVotes.counters(registry);
    rateLimit.bindTo(registry, counters.channel());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String client = rateLimit.config().clientAddresses().client(peer(call), joined(headers.getAll(FORWARDED_FOR)));
    GuardedCall<Q, R> guarded = new GuardedCall<>(call);
    ServerCall.Listener<Q> service = next.startCall(guarded, headers);
    return new ForwardingServerCallListener<>() {
      private ServerCall.Listener<Q> delegate = service; // listener callbacks are serialised by gRPC

      @Override
      protected ServerCall.Listener<Q> delegate() {
        return delegate;
      }

      @Override
      public void onMessage(Q message) {
        if (delegate != service) {
          return; // refused: nothing more is charged or delivered
        }
        List<Object> voterIds = new ArrayList<>();
        collectVoterIds(message, voterIds);
        if (voterIds.isEmpty()) {
          voterIds.add(null); // a message without votes (or undecodable) still costs its sender one token
        }
        RateLimiter.Decision decision = rateLimit.check(client, voterIds);
        if (!decision.allowed()) {
          counters.rejected("rate_limited", voterIds.size());
          StatusRuntimeException e = resourceExhausted(decision, rateLimit.keyedByVoter());
          guarded.refuse(e.getStatus(), e.getTrailers());
          service.onCancel(); // the service forgets the call; later writes are ignored by the guard
          delegate = new ServerCall.Listener<>() {}; // and hears nothing more of it
          return;
        }
        service.onMessage(message);
      }
    };
  }

  /** RESOURCE_EXHAUSTED with the delay to wait, and the field when the key was the voterId. */
  static StatusRuntimeException resourceExhausted(RateLimiter.Decision decision, boolean byVoter) {
    long millis = decision.retryAfterMillis();
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
            .setMessage(
                "Too many votes from this " + (byVoter ? "voter_id" : "client") + "; retry after " + millis
                    + " ms. Nothing of this message was accepted.")
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(Duration.newBuilder().setSeconds(millis / 1_000).setNanos((int) (millis % 1_000) * 1_000_000))
                        .build()));
    if (byVoter) {
      status.addDetails(
          Any.pack(
              BadRequest.newBuilder()
                  .addFieldViolations(
                      BadRequest.FieldViolation.newBuilder()
                          .setField("voter_id")
                          .setReason("RATE_LIMITED")
                          .setDescription("sent more votes than its rate allows"))
                  .build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  /** Each {@code quetzal.v1.Vote} in the message adds its voter_id (or null when it has none). */
  static void collectVoterIds(Object message, List<Object> out) {
    if (message instanceof Vote vote) {
      out.add(vote.getVoterId().isEmpty() ? null : vote.getVoterId());
      return;
    }
    if (!(message instanceof Message m)) {
      out.add(null); // not a protobuf message: charge it as one vote by address
      return;
    }
    for (Map.Entry<Descriptors.FieldDescriptor, Object> field : m.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != Descriptors.FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (field.getValue() instanceof List<?> items) {
        for (Object item : items) {
          collectVoterIds(item, out);
        }
      } else {
        collectVoterIds(field.getValue(), out);
      }
    }
  }

  private static String peer(ServerCall<?, ?> call) {
    SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return address == null ? null : address.toString(); // in-process: one name for the whole transport
  }

  private static String joined(Iterable<String> values) {
    if (values == null) {
      return null;
    }
    return String.join(",", values);
  }

  /**
   * Serialises the service's writes with the interceptor's own close, and ignores writes once the
   * call was refused, so the service never trips over a call it did not close.
   */
  private static final class GuardedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private boolean closed;
    private boolean refused;

    GuardedCall(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    synchronized void refuse(Status status, Metadata trailers) {
      refused = true;
      if (!closed) {
        closed = true;
        super.close(status, trailers == null ? new Metadata() : trailers);
      }
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!refused) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!refused) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    @Override
    public synchronized boolean isReady() {
      return !refused && super.isReady();
    }

    @Override
    public synchronized boolean isCancelled() {
      return refused || super.isCancelled();
    }

    @Override
    public void request(int numMessages) {
      if (!refused) {
        super.request(numMessages);
      }
    }
  }
}
