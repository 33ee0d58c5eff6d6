package gt.quetzal.ingest.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * The vote counters of one route, under names both routes share ({@code quetzal.ingest.votes.*},
 * tagged {@code channel=http} or {@code grpc}) so one dashboard query covers both: votes accepted,
 * votes rejected by reason, and rule violations by field and code; and the votes in Kafka's hands. The hot meters are registered
 * once and kept: a registry lookup per vote would cost more than the counting.
 */
public final class VoteCounters {

  /** The {@code field} tag of every unknown field: their names are the client's, so unbounded. */
  static final String UNKNOWN_FIELD_TAG = "(unknown)";

  private final MeterRegistry registry;
  private final String channel;
  private final UnaryOperator<String> fieldNames;
  private final Counter accepted;
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  // Two adders rather than one contended counter: started on call threads, finished on Kafka's.
  private final LongAdder publishStarted = new LongAdder();
  private final LongAdder publishFinished = new LongAdder();

  /**
   * @param channel    {@link gt.quetzal.contract.VoteEvent#CHANNEL_HTTP} or {@code CHANNEL_GRPC}
   * @param fieldNames a field's name as the route's clients know it (gRPC: {@code voter_id})
   */
  public VoteCounters(MeterRegistry registry, String channel, UnaryOperator<String> fieldNames) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.fieldNames = Objects.requireNonNull(fieldNames, "fieldNames");
    this.accepted =
        Counter.builder("quetzal.ingest.votes.accepted")
            .description("Votes Kafka acknowledged")
            .tag("channel", channel)
            .register(registry);
  }

  public String channel() {
    return channel;
  }

  /** Votes handed to Kafka whose answer is not in yet. */
  public long votesInFlight() {
    return publishStarted.sum() - publishFinished.sum();
  }

  void publishing() {
    publishStarted.increment();
  }

  void published() {
    publishFinished.increment();
  }

  void accepted(int votes) {
    accepted.increment(votes);
  }

  /** A vote answered with an error, by reason: invalid, unavailable, too_large, rate_limited, ... */
  public void rejected(String reason) {
    rejected(reason, 1);
  }

  /** As many votes rejected for one reason, e.g. every vote of a rate-limited batch. */
  public void rejected(String reason, int votes) {
    rejected
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("quetzal.ingest.votes.rejected")
                    .description("Votes answered with an error, by reason")
                    .tag("channel", channel)
                    .tag("reason", r)
                    .register(registry))
        .increment(votes);
  }

  /** Each broken rule of an invalid vote. */
  void violations(List<FieldViolation> violations) {
    for (FieldViolation violation : violations) {
      String field =
          FieldViolation.UNKNOWN_FIELD.equals(violation.code()) ? UNKNOWN_FIELD_TAG : fieldNames.apply(violation.field());
      registry.counter("quetzal.ingest.votes.violations", "channel", channel, "field", field, "code", violation.code()).increment();
    }
  }
}
