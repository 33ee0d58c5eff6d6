package gt.quetzal.streams.topology;

import gt.quetzal.contract.Names;
import gt.quetzal.contract.VoteEvent;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * An open contest's names: every spelling that folds to one band ({@link Names#fold}: trimmed, NFC,
 * case-insensitive) counts as that band, shown with the first spelling this processor saw; likewise
 * for the albums of a band. Votes reach it repartitioned by folded band name, so one task decides for
 * each band, and the choice is in a changelogged store: a restart or a second instance never shows a
 * second spelling. The vote leaves re-keyed by its voteId, as everything downstream expects.
 */
final class SpellNamesProcessor implements Processor<String, VoteEvent, String, Verdict> {

  private ProcessorContext<String, Verdict> context;
  private KeyValueStore<String, String> spellings;

  static StoreBuilder<KeyValueStore<String, String>> storeBuilder() {
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(StoreNames.NAME_SPELLINGS), Serdes.String(), Serdes.String());
  }

  /** The repartition key: every spelling of a band meets in one task. */
  static String bandKey(VoteEvent vote) {
    return Names.fold(vote.name());
  }

  @Override
  public void init(ProcessorContext<String, Verdict> context) {
    this.context = context;
    this.spellings = context.getStateStore(StoreNames.NAME_SPELLINGS);
  }

  @Override
  public void process(Record<String, VoteEvent> record) {
    VoteEvent vote = record.value();
    String folded = record.key();
    String band = spelling("b" + folded, vote.name());
    // Length-prefixed, so no band and album pair can produce another pair's key.
    String album = spelling("a" + folded.length() + ":" + folded + Names.fold(vote.album()), vote.album());
    VoteEvent spelled =
        new VoteEvent(
            vote.voteId(), band, album, vote.year(), vote.rank(), vote.voterId(), vote.channel(),
            vote.receivedAt());
    context.forward(record.withKey(vote.voteId()).withValue(new Verdict.Valid(spelled, true)));
  }

  private String spelling(String key, String seen) {
    String chosen = spellings.get(key);
    if (chosen == null) {
      spellings.put(key, seen);
      return seen;
    }
    return chosen;
  }
}
