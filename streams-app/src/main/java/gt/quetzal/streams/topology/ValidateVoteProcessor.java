package gt.quetzal.streams.topology;

import gt.quetzal.contract.VoteEvent;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Turns raw bytes into a {@link Verdict} through {@link RawVoteReader}, against the contest as the
 * global {@link ContestStore} holds it at this vote. A processor rather than a {@code mapValues} to
 * reach that store and the stream's wall clock for {@code rejectedAt}, which {@code
 * TopologyTestDriver} controls.
 *
 * <p>An accepted vote's {@code receivedAt} becomes its record's timestamp: the time it is counted in.
 * {@code votes.raw} is stamped by the broker on append ({@code LogAppendTime}), so one ingest pod
 * with a fast clock cannot push the stream time ahead and make other pods' votes late; the vote
 * log in MongoDB then shows the same minute the tallies counted it in.
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
    if (verdict instanceof Verdict.Valid valid && valid.vote().receivedAt() != record.timestamp()) {
      verdict = new Verdict.Valid(withReceivedAt(valid.vote(), record.timestamp()), valid.spelled());
    }
    context.forward(record.withValue(verdict));
  }

  private static VoteEvent withReceivedAt(VoteEvent vote, long receivedAt) {
    return new VoteEvent(
        vote.voteId(), vote.name(), vote.album(), vote.year(), vote.rank(), vote.voterId(), vote.channel(), receivedAt);
  }
}
