package gt.quetzal.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.testing.ControlledPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;

class VoteCasterTest {

  private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
  private static final VoteCandidate SEED = VoteCandidate.of("Malacates Trébol Shop", "Resaca", "2002", "87");
  private static final VoteCandidate BAD_RANK = VoteCandidate.of("Alux Nahual", "Alux Nahual", 1982, 0);

  private final ControlledPublisher publisher = new ControlledPublisher();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final VoteCounters counters = new VoteCounters(registry, VoteEvent.CHANNEL_GRPC, field -> field.toUpperCase());
  private final AtomicInteger ids = new AtomicInteger();
  private final VoteValidator validator =
      new VoteValidator(VoteRules.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC), () -> "generated-vote-" + ids.incrementAndGet());

  private VoteCaster caster(long publishTimeoutMs) {
    return new VoteCaster(validator, publisher, counters, publishTimeoutMs);
  }

  private final VoteCaster caster = caster(10_000);

  private double accepted() {
    return registry.get("quetzal.ingest.votes.accepted").tag("channel", "grpc").counter().count();
  }

  private double rejected(String reason) {
    var counter = registry.find("quetzal.ingest.votes.rejected").tag("channel", "grpc").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  private static <T> T done(CompletableFuture<T> future) throws Exception {
    return future.get(5, TimeUnit.SECONDS);
  }

  /**
   * Returns once every timeout of {@code ms} armed before the call has fired: the JDK runs
   * {@code orTimeout} timers on one thread in deadline order, so a probe armed later fires later.
   */
  private static void afterTimeoutsArmedSoFar(long ms) throws Exception {
    CompletableFuture<Void> probe = new CompletableFuture<Void>().orTimeout(ms, TimeUnit.MILLISECONDS);
    done(probe.exceptionally(timeout -> null));
  }

  // ---- one vote ------------------------------------------------------------------------------

  @Test
  void aValidVoteIsAcceptedOnlyOnceKafkaAcknowledgedIt() throws Exception {
    CompletableFuture<CastOutcome> outcome = caster.cast(SEED.withVoteId("client-vote-000001"));
    ControlledPublisher.Pending pending = publisher.next();
    assertThat(pending.vote().channel()).isEqualTo("grpc");
    assertThat(outcome).as("no outcome before Kafka answered").isNotDone();
    assertThat(counters.votesInFlight()).isEqualTo(1);

    pending.ack();
    assertThat(done(outcome)).isEqualTo(new CastOutcome.Accepted("client-vote-000001"));
    assertThat(accepted()).isEqualTo(1.0);
    assertThat(counters.votesInFlight()).isZero();
  }

  @Test
  void anInvalidVoteIsAnsweredAtOnceWithEveryViolationAndIsNotPublished() {
    CompletableFuture<CastOutcome> outcome = caster.cast(BAD_RANK.withVoterId(" "));
    assertThat(outcome).isCompleted();
    assertThat(outcome.join()).isInstanceOf(ValidationResult.Invalid.class);
    List<FieldViolation> violations = ((ValidationResult.Invalid) outcome.join()).violations();
    assertThat(violations).extracting(FieldViolation::field).containsExactly("rank");
    assertThat(publisher.nothingPublished()).isTrue();
    assertThat(rejected("invalid")).isEqualTo(1.0);
    assertThat(registry.get("quetzal.ingest.votes.violations").tag("field", "RANK").tag("code", "out_of_range").counter().count())
        .as("the field as the route names it")
        .isEqualTo(1.0);
    assertThat(accepted()).isZero();
  }

  @Test
  void unknownFieldsAreCountedUnderOneTagWhateverTheirName() {
    caster.cast(SEED.withUnknownFields(List.of("$where", "__proto__")));
    assertThat(registry.get("quetzal.ingest.votes.violations").tag("field", "(unknown)").tag("code", "unknown_field").counter().count())
        .isEqualTo(2.0);
  }

  @Test
  void aVoteKafkaRefusedIsUnavailableUnderItsIdInWordsForTheClient() throws Exception {
    CompletableFuture<CastOutcome> outcome = caster.cast(SEED);
    ControlledPublisher.Pending pending = publisher.next();
    pending.fail(new NotEnoughReplicasException("not enough in-sync replicas"));

    CastOutcome.Unavailable unavailable = (CastOutcome.Unavailable) done(outcome);
    assertThat(unavailable.voteId()).isEqualTo(pending.vote().voteId()).isEqualTo("generated-vote-1");
    assertThat(unavailable.failure().forClient()).isEqualTo("Kafka could not take the vote right now");
    assertThat(unavailable.failure().forLog()).contains("NotEnoughReplicasException");
    assertThat(rejected("unavailable")).isEqualTo(1.0);
    assertThat(accepted()).isZero();
  }

  @Test
  void aVoteKafkaDoesNotAnswerWithinThePublishTimeoutIsUnavailableAndALateAckChangesNothing() throws Exception {
    VoteCaster quick = caster(50);
    CompletableFuture<CastOutcome> outcome = quick.cast(SEED);
    ControlledPublisher.Pending pending = publisher.next();

    CastOutcome.Unavailable unavailable = (CastOutcome.Unavailable) done(outcome);
    assertThat(unavailable.failure().forClient()).isEqualTo("Kafka did not acknowledge the vote within 50 ms");
    pending.ack();
    assertThat(accepted()).isZero();
    assertThat(rejected("unavailable")).isEqualTo(1.0);
  }

  @Test
  void aVoteNobodyWaitsForAnyMoreIsNotPublished() {
    CompletableFuture<CastOutcome> outcome = caster.cast(SEED, () -> false);
    assertThat(outcome.join()).isEqualTo(new CastOutcome.Abandoned("generated-vote-1"));
    assertThat(publisher.nothingPublished()).isTrue();
    assertThat(rejected("cancelled")).isEqualTo(1.0);
  }

  @Test
  void anInvalidVoteIsNotAbandonedEvenWhenNobodyWaits() {
    assertThat(caster.cast(BAD_RANK, () -> false).join()).isInstanceOf(ValidationResult.Invalid.class);
    assertThat(rejected("cancelled")).isZero();
  }

  // ---- batches -------------------------------------------------------------------------------

  @Test
  void aBatchAnswersEveryItemInItsOrderOnceKafkaAnsweredForEachPublishedVote() throws Exception {
    FieldViolation notAnObject = new FieldViolation("vote", FieldViolation.WRONG_TYPE, "must be a JSON object (one vote), not a string");
    CompletableFuture<List<CastOutcome>> outcomes =
        caster.castAll(
            List.of(SEED, BAD_RANK, new CastItem.NotAVote(notAnObject), SEED.withVoteId("client-vote-000004")),
            VoteCaster.Wait.PUBLISH_TIMEOUT);
    ControlledPublisher.Pending first = publisher.next();
    ControlledPublisher.Pending fourth = publisher.next();
    assertThat(publisher.nothingPublished()).isTrue();

    fourth.ack(); // Kafka answers out of order
    assertThat(outcomes).as("no outcomes while vote 0 is unsettled").isNotDone();
    assertThat(accepted()).as("counted once the batch is settled").isZero();
    first.ack();

    List<CastOutcome> answered = done(outcomes);
    assertThat(answered).hasSize(4);
    assertThat(answered.get(0)).isEqualTo(new CastOutcome.Accepted(first.vote().voteId()));
    assertThat(((ValidationResult.Invalid) answered.get(1)).violations()).extracting(FieldViolation::field).containsExactly("rank");
    assertThat(answered.get(2)).isEqualTo(new ValidationResult.Invalid(List.of(notAnObject)));
    assertThat(answered.get(3)).isEqualTo(new CastOutcome.Accepted("client-vote-000004"));
    assertThat(accepted()).isEqualTo(2.0);
    assertThat(rejected("invalid")).isEqualTo(2.0);
    assertThat(registry.find("quetzal.ingest.votes.violations").tag("field", "VOTE").counter())
        .as("an item that is not a vote has no field of a vote at fault")
        .isNull();
    assertThat(counters.votesInFlight()).isZero();
  }

  @Test
  void aBatchWithoutAValidVoteIsAnsweredOnReturn() {
    CompletableFuture<List<CastOutcome>> outcomes = caster.castAll(List.of(BAD_RANK, BAD_RANK), VoteCaster.Wait.PUBLISHER_BOUND);
    assertThat(outcomes).isCompleted();
    assertThat(outcomes.join()).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(ValidationResult.Invalid.class));
    assertThat(publisher.nothingPublished()).isTrue();
  }

  @Test
  void aBatchWaitsThePublishTimeoutOnceThenTheUnansweredVotesAreUnavailable() throws Exception {
    // Kafka's answers for the first two are in before the batch's timer is armed, so no race with it.
    CompletableFuture<RecordMetadata> silent = new CompletableFuture<>();
    VotePublisher scripted =
        new Scripted(
            List.of(
                CompletableFuture.completedFuture(null),
                CompletableFuture.failedFuture(new NotEnoughReplicasException("not enough in-sync replicas")),
                silent));
    VoteCaster quick = new VoteCaster(validator, scripted, counters, 50);
    List<CastOutcome> answered =
        done(quick.castAll(List.of(SEED, SEED, SEED.withVoteId("client-vote-000003")), VoteCaster.Wait.PUBLISH_TIMEOUT));

    assertThat(answered.get(0)).isInstanceOf(CastOutcome.Accepted.class);
    assertThat(((CastOutcome.Unavailable) answered.get(1)).failure().forClient()).isEqualTo("Kafka could not take the vote right now");
    CastOutcome.Unavailable timedOut = (CastOutcome.Unavailable) answered.get(2);
    assertThat(timedOut.voteId()).isEqualTo("client-vote-000003");
    assertThat(timedOut.failure().forClient()).isEqualTo("Kafka did not acknowledge the vote within 50 ms");

    silent.complete(null); // late: the batch was answered, the vote stays counted as unavailable
    assertThat(accepted()).isEqualTo(1.0);
    assertThat(rejected("unavailable")).isEqualTo(2.0);
  }

  /** Answers each publish with the next of the given futures. */
  private static final class Scripted implements VotePublisher {
    private final Deque<CompletableFuture<RecordMetadata>> answers;

    Scripted(List<CompletableFuture<RecordMetadata>> answers) {
      this.answers = new ArrayDeque<>(answers);
    }

    @Override
    public CompletableFuture<RecordMetadata> publish(VoteEvent vote) {
      return answers.removeFirst();
    }

    @Override
    public CompletableFuture<PublisherHealth> health() {
      return CompletableFuture.completedFuture(PublisherHealth.up("scripted"));
    }

    @Override
    public void close() {}
  }

  @Test
  void aBatchWaitingForThePublishersBoundSetsNoTimerOfItsOwn() throws Exception {
    VoteCaster quick = caster(1);
    CompletableFuture<List<CastOutcome>> outcomes = quick.castAll(List.of(SEED), VoteCaster.Wait.PUBLISHER_BOUND);
    ControlledPublisher.Pending pending = publisher.next();
    afterTimeoutsArmedSoFar(1); // a 1 ms timer armed by the cast would have fired by now
    assertThat(outcomes).isNotDone();
    pending.ack();
    assertThat(done(outcomes)).containsExactly(new CastOutcome.Accepted(pending.vote().voteId()));
  }

  // ---- the failure latch -----------------------------------------------------------------------

  @Test
  void aRefusalSetsTheLatchAndAnAcknowledgementClearsIt() throws Exception {
    assertThat(caster.kafkaRefusing()).isFalse();
    CompletableFuture<CastOutcome> refused = caster.cast(SEED);
    publisher.next().fail(new NotEnoughReplicasException("not enough in-sync replicas"));
    done(refused);
    assertThat(caster.kafkaRefusing()).isTrue();

    CompletableFuture<CastOutcome> again = caster.cast(SEED);
    publisher.next().fail(new NotEnoughReplicasException("not enough in-sync replicas"));
    done(again);
    assertThat(caster.kafkaRefusing()).as("still set").isTrue();

    CompletableFuture<CastOutcome> taken = caster.cast(SEED);
    publisher.next().ack();
    done(taken);
    assertThat(caster.kafkaRefusing()).isFalse();
  }

  @Test
  void aBatchWithBothOutcomesDoesNotClearTheLatch() throws Exception {
    CompletableFuture<List<CastOutcome>> mixed = caster.castAll(List.of(SEED, SEED), VoteCaster.Wait.PUBLISHER_BOUND);
    publisher.next().ack();
    publisher.next().fail(new NotEnoughReplicasException("not enough in-sync replicas"));
    done(mixed);
    assertThat(caster.kafkaRefusing()).isTrue();

    CompletableFuture<List<CastOutcome>> mixedAgain = caster.castAll(List.of(SEED, SEED), VoteCaster.Wait.PUBLISHER_BOUND);
    publisher.next().fail(new NotEnoughReplicasException("not enough in-sync replicas"));
    publisher.next().ack();
    done(mixedAgain);
    assertThat(caster.kafkaRefusing()).as("a batch with a refusal says nothing of recovery").isTrue();

    CompletableFuture<List<CastOutcome>> clean = caster.castAll(List.of(SEED, BAD_RANK), VoteCaster.Wait.PUBLISHER_BOUND);
    publisher.next().ack();
    done(clean);
    assertThat(caster.kafkaRefusing()).as("invalid votes say nothing about Kafka").isFalse();
  }

  @Test
  void invalidVotesAndAbandonedOnesLeaveTheLatchAlone() throws Exception {
    CompletableFuture<CastOutcome> refused = caster.cast(SEED);
    publisher.next().fail(new NotEnoughReplicasException("not enough in-sync replicas"));
    done(refused);
    caster.cast(BAD_RANK);
    caster.cast(SEED, () -> false);
    caster.castAll(List.of(BAD_RANK), VoteCaster.Wait.PUBLISH_TIMEOUT);
    assertThat(caster.kafkaRefusing()).isTrue();
  }

  // ---- counters --------------------------------------------------------------------------------

  @Test
  void transportsCountTheirOwnRejectionsUnderTheSameNames() {
    counters.rejected("rate_limited", 3);
    counters.rejected("malformed");
    assertThat(rejected("rate_limited")).isEqualTo(3.0);
    assertThat(rejected("malformed")).isEqualTo(1.0);
    assertThat(new VoteCounters(registry, VoteEvent.CHANNEL_HTTP, field -> field).channel()).isEqualTo("http");
    assertThat(registry.get("quetzal.ingest.votes.accepted").tag("channel", "http").counter().count())
        .as("registered up front, so a dashboard shows 0 rather than nothing")
        .isZero();
  }
}
