package gt.quetzal.ingest.grpc;

import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.FieldViolation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gRPC route's meters. Names and tags match ingest-http's ({@code quetzal.ingest.votes.*} with
 * {@code channel=grpc}) so one dashboard query covers both routes. Hot-path meters are registered
 * once here: a registry lookup per vote would cost more than the counting.
 */
final class GrpcMetrics {

  static final String CAST = "Cast";
  static final String CAST_STREAM = "CastStream";

  enum Outcome {
    ACCEPTED("accepted"),
    INVALID("invalid"),
    UNAVAILABLE("unavailable");

    final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }
  }

  private static final String CHANNEL = VoteEvent.CHANNEL_GRPC;

  private final MeterRegistry registry;
  private final Counter accepted;
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  private final Timer[][] latency = new Timer[2][Outcome.values().length];
  // Two adders rather than one contended counter: started on call threads, finished on Kafka's.
  private final LongAdder publishStarted = new LongAdder();
  private final LongAdder publishFinished = new LongAdder();
  final AtomicInteger activeStreams = new AtomicInteger();

  GrpcMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.accepted =
        Counter.builder("quetzal.ingest.votes.accepted")
            .description("Votes Kafka acknowledged")
            .tag("channel", CHANNEL)
            .register(registry);
    String[] methods = {CAST, CAST_STREAM};
    for (int m = 0; m < methods.length; m++) {
      for (Outcome outcome : Outcome.values()) {
        latency[m][outcome.ordinal()] =
            Timer.builder("quetzal.ingest.grpc.votes")
                .description("Per vote, from receipt to its answer (for accepted votes: after Kafka acknowledged)")
                .tag("method", methods[m])
                .tag("outcome", outcome.tag)
                .publishPercentileHistogram()
                .register(registry);
      }
    }
    Gauge.builder("quetzal.ingest.grpc.in.flight", this, m -> m.publishStarted.sum() - m.publishFinished.sum())
        .description("Votes handed to Kafka and not yet answered")
        .strongReference(true)
        .register(registry);
    Gauge.builder("quetzal.ingest.grpc.streams.active", activeStreams, AtomicInteger::get)
        .description("Open CastStream calls")
        .strongReference(true)
        .register(registry);
  }

  void publishing() {
    publishStarted.increment();
  }

  void published() {
    publishFinished.increment();
  }

  void accepted() {
    accepted.increment();
  }

  /** Votes not accepted, by reason: invalid, unavailable, cancelled. */
  void rejected(String reason) {
    rejected
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("quetzal.ingest.votes.rejected")
                    .description("Votes answered with an error, by reason")
                    .tag("channel", CHANNEL)
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  void violations(List<FieldViolation> violations) {
    for (FieldViolation violation : violations) {
      registry
          .counter(
              "quetzal.ingest.votes.violations",
              "channel", CHANNEL,
              "field", GrpcVotes.protoField(violation.field()),
              "code", violation.code())
          .increment();
    }
  }

  void latency(String method, Outcome outcome, long startNanos) {
    latency[CAST.equals(method) ? 0 : 1][outcome.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }
}
