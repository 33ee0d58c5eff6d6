package gt.quetzal.load.reconcile;

import gt.quetzal.contract.Stats;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the pipeline must show after a run, derived from what the senders were told and from the
 * traffic file: each voteId ingest accepted reaches exactly one fate in the streams app (counted once
 * and then duplicates, or rejected on every copy, since validation comes before dedup), and the
 * mirrors hold exactly the counted ones.
 *
 * <p>A vote whose answer was lost (failed after its retries, or cut off at the end) may or may not be
 * in Kafka, and a retried attempt may have landed before its retry did; those widen the ranges
 * instead of being guessed.
 *
 * @param ingestAccepted  accepted answers (202 / OK), copies included
 * @param verdicts        streams verdicts the run must add: accepted + duplicates + rejected
 * @param stats           per stats counter ({@link Stats} keys, {@code rejected.<reason>} included)
 * @param bands           per canonical band, how much its total must grow
 * @param mustBeStored    voteIds that must be in {@code quetzal.votes}
 * @param mayBeStored     voteIds that may be there (a superset of mustBeStored)
 * @param acceptedIds     every voteId ingest accepted at least once
 */
public record Expectation(
    long ingestAccepted,
    Range verdicts,
    Map<String, Range> stats,
    Map<String, Range> bands,
    Set<String> mustBeStored,
    Set<String> mayBeStored,
    Set<String> acceptedIds) {

  public Range stat(String key) {
    return stats.getOrDefault(key, Range.ZERO);
  }

  public Range band(String band) {
    return bands.getOrDefault(band, Range.ZERO);
  }

  public static Expectation of(RunLog log, List<Map<String, String>> traffic, VoteClassifier classifier) {
    Map<String, Copies> byVoteId = new LinkedHashMap<>();
    for (Send send : log.sends()) {
      if (send.row() < 0 || send.row() >= traffic.size()) {
        throw new IllegalArgumentException(
            "vote " + send.voteId() + " names row " + send.row() + " but the traffic file has "
                + traffic.size() + " rows: is it the file Locust sent?");
      }
      byVoteId.computeIfAbsent(send.voteId(), id -> new Copies(send.row())).add(send);
    }

    long ingestAccepted = 0;
    Range verdicts = Range.ZERO;
    Map<String, Range> stats = new TreeMap<>();
    Map<String, Range> bands = new TreeMap<>();
    Set<String> must = new HashSet<>();
    Set<String> may = new HashSet<>();
    Set<String> acceptedIds = new HashSet<>();
    for (Map.Entry<String, Copies> entry : byVoteId.entrySet()) {
      String voteId = entry.getKey();
      Copies c = entry.getValue();
      long maybe = c.uncertain + c.retried; // copies the pipeline may or may not have seen
      ingestAccepted += c.accepted;
      verdicts = verdicts.plus(c.accepted, maybe);
      if (c.accepted > 0) {
        acceptedIds.add(voteId);
      }
      if (c.accepted + maybe == 0) {
        continue; // refused at the door on every try: the pipeline never saw it
      }
      VoteClassifier.Fate fate = classifier.classify(traffic.get(c.row));
      if (fate.counted()) {
        long certainOne = c.accepted > 0 ? 1 : 0;
        long possibleOne = 1 - certainOne;
        merge(stats, Stats.ACCEPTED, certainOne, possibleOne);
        merge(bands, fate.band(), certainOne, possibleOne);
        long certainCopies = Math.max(c.accepted - 1, 0);
        long possibleCopies = Math.max(c.accepted + maybe - 1, 0) - certainCopies;
        merge(stats, Stats.DUPLICATES, certainCopies, possibleCopies);
        if (c.accepted > 0) {
          must.add(voteId);
        }
        may.add(voteId);
      } else {
        merge(stats, Stats.REJECTED, c.accepted, maybe);
        merge(stats, Stats.rejected(fate.reason()), c.accepted, maybe);
      }
    }
    stats.putIfAbsent(Stats.ACCEPTED, Range.ZERO);
    stats.putIfAbsent(Stats.DUPLICATES, Range.ZERO);
    stats.putIfAbsent(Stats.REJECTED, Range.ZERO);
    return new Expectation(
        ingestAccepted, verdicts, Map.copyOf(stats), Map.copyOf(bands), Set.copyOf(must), Set.copyOf(may), Set.copyOf(acceptedIds));
  }

  private static void merge(Map<String, Range> ranges, String key, long certain, long possible) {
    ranges.put(key, ranges.getOrDefault(key, Range.ZERO).plus(certain, possible));
  }

  /** The copies of one voteId and how each ended. */
  private static final class Copies {
    final int row;
    long accepted;
    long uncertain;
    long retried;

    Copies(int row) {
      this.row = row;
    }

    void add(Send send) {
      switch (send.outcome()) {
        case ACCEPTED -> accepted++;
        case FAILED, UNFINISHED -> uncertain++;
        case REJECTED -> {}
      }
      // Retries follow only 5xx / UNAVAILABLE / lost connections: each earlier attempt may have landed.
      if (send.outcome() != Send.Outcome.REJECTED) {
        retried += Math.max(send.attempts() - 1, 0);
      }
    }
  }
}
