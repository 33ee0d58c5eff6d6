package gt.quetzal.streams.topology;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Turns raw bytes into a {@link Verdict} through {@link RawVoteReader}, against the contest as the
 * global {@link ContestStore} holds it at this vote. A processor rather than a {@code mapValues} to
 * reach that store and the stream's wall clock for {@code rejectedAt}, which {@code
 * TopologyTestDriver} controls.
 */
final class ValidateVoteProcessor implements FixedKeyProcessor<String, byte[], Verdict> {

  private FixedKeyProcessorContext<String, Verdict> context;
  private ContestStore contest;

  @Override
  public void init(FixedKeyProcessorContext<String, Verdict> context) {
    this.context = context;
    this.contest = context.getStateStore(StoreNames.CONTEST);
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    Verdict verdict =
        RawVoteReader.check(
            record.key(), record.value(), context.currentSystemTimeMs(), contest.index());
    context.forward(record.withValue(verdict));
  }
}
