package gt.quetzal.streams.topology;

import gt.quetzal.contract.VoteEvent;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Decides each raw record once, in three steps on one node: read and validate it ({@link
 * RawVoteReader}, against the contest as the global {@link ContestStore} holds it at this vote), then
 * the dedup rule ({@link VoteIdMemory}), then the late rule ({@link Lateness}). One node rather than
 * three because every node a record crosses costs Kafka Streams' per-node bookkeeping, and this path
 * is the one every vote takes (docs/benchmarks.md).
 *
 * <p>An accepted vote's {@code receivedAt} becomes its record's timestamp: the time it is counted in.
 * {@code votes.raw} is stamped by the broker on append ({@code LogAppendTime}), so one ingest pod
 * with a fast clock cannot push the stream time ahead and make other pods' votes late; the vote
 * log in MongoDB then shows the same minute the tallies counted it in.
 *
 * <p>The voteId is the record key ({@code votes.raw} is keyed by it), or the parsed vote's; a
 * rejection without a key skips dedup. The copy of a rejected vote is a duplicate, as is the copy of
 * a late one.
 */
final class CheckVoteProcessor implements FixedKeyProcessor<String, byte[], Verdict> {

  private final VoteIdMemory memory;
  private final Lateness lateness;
  private FixedKeyProcessorContext<String, Verdict> context;
  private ContestStore contest;

  CheckVoteProcessor(Duration dedupRetention, Duration grace) {
    this.memory = new VoteIdMemory(dedupRetention);
    this.lateness = new Lateness(grace);
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Verdict> context) {
    this.context = context;
    this.contest = context.getStateStore(StoreNames.CONTEST);
    memory.init(context.getStateStore(StoreNames.VOTE_DEDUP), context.metrics());
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    long now = context.currentSystemTimeMs();
    long timestamp = record.timestamp();
    Verdict verdict = RawVoteReader.check(record.key(), record.value(), now, contest.index());
    String voteId = record.key();
    if (verdict instanceof Verdict.Valid valid) {
      VoteEvent vote = valid.vote();
      voteId = vote.voteId();
      if (vote.receivedAt() != timestamp) {
        valid = new Verdict.Valid(withReceivedAt(vote, timestamp), valid.spelled());
      }
      verdict = valid;
    }
    if (voteId != null && memory.isCopy(voteId, timestamp)) {
      verdict = new Verdict.Duplicate(voteId);
    } else if (verdict instanceof Verdict.Valid valid) {
      verdict = lateness.check(valid, timestamp, context.currentStreamTimeMs(), now);
    }
    context.forward(record.withValue(verdict));
  }

  private static VoteEvent withReceivedAt(VoteEvent vote, long receivedAt) {
    return new VoteEvent(
        vote.voteId(), vote.name(), vote.album(), vote.year(), vote.rank(), vote.voterId(), vote.channel(), receivedAt);
  }
}
