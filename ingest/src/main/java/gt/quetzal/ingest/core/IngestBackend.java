package gt.quetzal.ingest.core;

import gt.quetzal.kit.Closer;
import gt.quetzal.kit.RunningService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * What both ingest doors stand on, started the same way: the contest follower, the Kafka publisher
 * behind the contest's gate (no vote is published before the contest was read), and the validator
 * that judges against that contest.
 */
public record IngestBackend(ContestGate contest, VotePublisher publisher, VoteValidator validator) {

  /** Starts the follower, then the producer, each registered with {@code started} to close in reverse. */
  public static IngestBackend start(
      KafkaPublisherConfig kafka, VoteRules rules, MeterRegistry registry, Closer started) {
    return start(kafka, rules, registry, started, Clock.systemUTC());
  }

  /** As above, with {@code clock} stamping each vote's {@code receivedAt} (production: the system clock). */
  public static IngestBackend start(
      KafkaPublisherConfig kafka, VoteRules rules, MeterRegistry registry, Closer started, Clock clock) {
    ContestGate contest = started.register(ContestGate.follow(kafka.contestFollowerProperties()));
    KafkaVotePublisher producer = started.register(KafkaVotePublisher.create(kafka, registry));
    return new IngestBackend(contest, contest.guard(producer), VoteValidator.standard(rules, clock).withContest(contest));
  }

  /** Blocks until the contest was read, so the next vote is judged against it (not refused as unavailable). */
  public void awaitContest(Duration timeout) throws InterruptedException {
    contest.awaitReady(timeout);
  }

  /** A running ingest service: it can wait for the contest, and closes like every service. */
  public interface Running extends RunningService {

    IngestBackend backend();

    /** Blocks until the contest was read, so the next vote is judged against it (not refused as unavailable). */
    default void awaitContest(Duration timeout) throws InterruptedException {
      backend().awaitContest(timeout);
    }
  }
}
