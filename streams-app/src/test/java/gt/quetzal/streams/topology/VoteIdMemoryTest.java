package gt.quetzal.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedup rule's Bloom filters on the real (RocksDB) store: reads are spared for new voteIds, and
 * never for a bucket the store held before the rule was initialised. The topology's behaviour
 * (duplicates, retention edges) is held by VotesTopologyTest; a restart is not something
 * TopologyTestDriver can show, since it wipes its state directory on close.
 */
class VoteIdMemoryTest {

  private static final Duration RETENTION = Duration.ofHours(1);
  private static final long T0 = Instant.parse("2026-11-26T12:00:00Z").toEpochMilli();

  @TempDir Path stateDir;

  private MockProcessorContext<String, Verdict> context;
  private WindowStore<String, Long> store;

  @BeforeEach
  void openStore() {
    context = MockTaskContext.in(stateDir);
    store = VoteIdMemory.storeBuilder(RETENTION).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void newVoteIdsInABucketWrittenSinceInitCostNoRead() {
    VoteIdMemory memory = started();
    for (int i = 0; i < 1_000; i++) {
      assertThat(memory.isCopy("v-" + i, T0 + i)).isFalse();
    }

    assertThat(memory.reads()).as("store reads for 1,000 new voteIds").isLessThan(5);
    assertThat(memory.isCopy("v-7", T0 + 5_000)).isTrue();
    assertThat(memory.reads()).isPositive();
  }

  @Test
  void aVoteIdStoredBeforeAnInitIsStillACopyAfterIt() {
    VoteIdMemory before = started();
    assertThat(before.isCopy("v-1", T0)).isFalse();
    assertThat(before.isCopy("v-2", T0 + RETENTION.toMillis())).isFalse();

    // A restart, a rebalance or a revived task: a new rule over the same (restored) store.
    VoteIdMemory after = started();

    assertThat(after.isCopy("v-1", T0 + 60_000)).as("copy in the original's bucket").isTrue();
    assertThat(after.isCopy("v-2", T0 + RETENTION.toMillis() - 1)).as("copy in the bucket before").isTrue();
    assertThat(after.isCopy("v-3", T0 + 1)).as("a new voteId in a bucket held before the init").isFalse();
    assertThat(after.isCopy("v-3", T0 + 2)).isTrue();
  }

  @Test
  void underAMinuteOfRetentionEveryLookupReadsTheStore() {
    // The store's segments then hold several buckets each; no filter, and the rule is unchanged.
    store.close();
    store = VoteIdMemory.storeBuilder(Duration.ofSeconds(10)).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    VoteIdMemory memory = new VoteIdMemory(Duration.ofSeconds(10));
    memory.init(store, context.metrics());

    assertThat(memory.isCopy("v-1", T0)).isFalse();
    assertThat(memory.reads()).as("its bucket and both neighbours, all read").isEqualTo(3);
    assertThat(memory.isCopy("v-1", T0 + 9_000)).isTrue();
    assertThat(memory.isCopy("v-1", T0 + 10_001)).as("more than the retention later").isFalse();
  }

  private VoteIdMemory started() {
    VoteIdMemory memory = new VoteIdMemory(RETENTION);
    memory.init(store, context.metrics());
    return memory;
  }
}
