package gt.quetzal.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Stats;
import gt.quetzal.contract.VoteEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The combiner across an init: the deltas pending in its store when a task is (re)initialised (a
 * restart, a rebalance, a revived task) leave at the next flush. TopologyTestDriver cannot show this,
 * since it wipes its state on close.
 */
class TallyCombinerTest {

  private static final long T0 = Instant.parse("2026-11-26T12:00:00Z").toEpochMilli();
  private static final Duration FLUSH = Duration.ofMillis(50);

  @TempDir Path stateDir;

  private MockProcessorContext<String, TallyDelta> context;
  private KeyValueStore<VoteCell, RankDelta> votes;

  @BeforeEach
  void stores() {
    context = MockTaskContext.in(stateDir);
    votes = TallyCombiner.voteStore().withLoggingDisabled().withCachingDisabled().build();
    KeyValueStore<String, Long> stats =
        TallyCombiner.statStore().withLoggingDisabled().withCachingDisabled().build();
    votes.init(context.getStateStoreContext(), votes);
    stats.init(context.getStateStoreContext(), stats);
    context.addStateStore(votes);
    context.addStateStore(stats);
    context.setCurrentStreamTimeMs(T0);
  }

  @Test
  void deltasPendingAtInitLeaveAtTheNextFlush() {
    TallyCombiner before = started();
    before.process(vote("v-1", "Alux Nahual", 80));
    before.process(vote("v-2", "Alux Nahual", 60));
    // The task goes away before its flush; a new combiner starts over the same store.
    assertThat(context.forwarded()).isEmpty();

    TallyCombiner after = started();
    after.process(vote("v-3", "Alux Nahual", 70));
    flush();

    assertThat(forwardedValues())
        .contains(
            new TallyDelta.Band("Alux Nahual", 3),
            new TallyDelta.Stat(Stats.ACCEPTED, 3));
    assertThat(votes.approximateNumEntries()).isZero();
  }

  @Test
  void aFlushForgetsWhatItSent() {
    TallyCombiner combiner = started();
    combiner.process(vote("v-1", "Alux Nahual", 80));
    flush();
    context.resetForwards();

    combiner.process(vote("v-2", "Alux Nahual", 90));
    flush();

    assertThat(forwardedValues()).contains(new TallyDelta.Band("Alux Nahual", 1));
  }

  private TallyCombiner started() {
    context.resetForwards();
    TallyCombiner combiner = new TallyCombiner(FLUSH);
    combiner.init(context);
    return combiner;
  }

  private void flush() {
    List<MockProcessorContext.CapturedPunctuator> punctuators = context.scheduledPunctuators();
    punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(T0 + 1_000);
  }

  private List<TallyDelta> forwardedValues() {
    return context.forwarded().stream().map(f -> (TallyDelta) f.record().value()).toList();
  }

  private static Record<String, Verdict> vote(String voteId, String band, int rank) {
    VoteEvent vote = new VoteEvent(voteId, band, "Hielo y Fuego", 1983, rank, null, "http", T0);
    return new Record<>(voteId, new Verdict.Valid(vote), T0);
  }
}
