package gt.quetzal.ingest.grpc;

import gt.quetzal.ingest.core.CastOutcome;
import gt.quetzal.ingest.core.ValidationResult;
import gt.quetzal.ingest.core.VoteCounters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC route's meters: the vote counters it shares with ingest-http ({@link VoteCounters},
 * {@code channel=grpc}), plus its own per-vote latency, votes in flight and open streams. Timers
 * are registered once here: a registry lookup per vote would cost more than the timing.
 */
final class GrpcMetrics {

  static final String CAST = "Cast";
  static final String CAST_STREAM = "CastStream";

  /** The outcomes a vote is timed under; an abandoned vote is never answered, so it is not timed. */
  private static final String[] OUTCOMES = {"accepted", "invalid", "unavailable"};

  final VoteCounters votes;
  final AtomicInteger activeStreams = new AtomicInteger();
  private final Timer[][] latency = new Timer[2][OUTCOMES.length];

  GrpcMetrics(MeterRegistry registry, VoteCounters votes) {
    this.votes = votes;
    String[] methods = {CAST, CAST_STREAM};
    for (int m = 0; m < methods.length; m++) {
      for (int o = 0; o < OUTCOMES.length; o++) {
        latency[m][o] =
            Timer.builder("quetzal.ingest.grpc.votes")
                .description("Per vote, from receipt to its answer (for accepted votes: after Kafka acknowledged)")
                .tag("method", methods[m])
                .tag("outcome", OUTCOMES[o])
                .publishPercentileHistogram()
                .register(registry);
      }
    }
    Gauge.builder("quetzal.ingest.grpc.in.flight", votes, VoteCounters::votesInFlight)
        .description("Votes handed to Kafka and not yet answered")
        .strongReference(true)
        .register(registry);
    Gauge.builder("quetzal.ingest.grpc.streams.active", activeStreams, AtomicInteger::get)
        .description("Open CastStream calls")
        .strongReference(true)
        .register(registry);
  }

  void latency(String method, CastOutcome outcome, long startNanos) {
    latencyNanos(method, outcome, System.nanoTime() - startNanos);
  }

  /** As {@link #latency} with the time already measured: a stream's run is answered by one ack. */
  void latencyNanos(String method, CastOutcome outcome, long elapsedNanos) {
    int o =
        outcome instanceof CastOutcome.Accepted ? 0
            : outcome instanceof ValidationResult.Invalid ? 1
            : outcome instanceof CastOutcome.Unavailable ? 2
            : -1;
    if (o >= 0) {
      latency[CAST.equals(method) ? 0 : 1][o].record(elapsedNanos, TimeUnit.NANOSECONDS);
    }
  }
}
