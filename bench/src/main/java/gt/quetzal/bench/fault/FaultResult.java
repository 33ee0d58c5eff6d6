package gt.quetzal.bench.fault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The verdict of one fault run: what the clients were told, set against what Redis and MongoDB hold.
 *
 * <p>Definitions (A = acknowledged voteIds, U = voteIds whose fate the client never learnt, S = the run's
 * voteIds in {@code quetzal.votes}, R<sub>b</sub> = growth of band b's Redis total during the run):
 *
 * <ul>
 *   <li><b>counted</b> = Σ R<sub>b</sub>; <b>stored</b> = |S|.
 *   <li><b>accepted without ack</b> = |S ∩ U|: answered 503 or not at all, yet written; allowed once.
 *   <li><b>lost</b> = the larger of |A \ S| (MongoDB) and Σ max(0, A<sub>b</sub> − R<sub>b</sub>) (Redis):
 *       acknowledged votes missing from a store.
 *   <li><b>duplicated</b> = Σ max(0, R<sub>b</sub> − |(S ∪ A)<sub>b</sub>|): counts in Redis beyond every vote
 *       that exists once; MongoDB cannot hold a vote twice ({@code _id = voteId}), so a vote counted twice
 *       shows up here.
 * </ul>
 *
 * <p><b>retried</b> counts votes that took more than one attempt because an answer was unknown; <b>resent</b>
 * counts votes sent once more on purpose after their 202 / OK. <b>deduplicated</b> is how much the streams app's {@code duplicates} counter grew during the run: copies
 * of a vote (a retry whose earlier attempt had landed after all) that it dropped; -1 when it could not be read.
 *
 * <p><b>max unavailable window</b>: the longest a vote that met an unknown answer waited from its first
 * attempt to its acknowledgment, retries included; 0 when no answer was unknown. <b>slowest ack</b>: the
 * longest any acknowledged vote waited, unknown answers or not (a failover the producer rode out shows here). <b>recount</b>: {@code
 * ./quetzal recount} over the whole stack after the run (Kafka's log and MongoDB against Redis, field by
 * field); it must agree.
 *
 * <p>Besides, the two stores must agree band by band (R<sub>b</sub> = |S<sub>b</sub>|) and MongoDB must hold
 * nothing outside A ∪ U; either failing is listed as a problem.
 */
public record FaultResult(
    Fault fault,
    String runId,
    long sent,
    long acknowledged,
    long unacknowledged,
    long refused,
    long counted,
    long stored,
    long acceptedWithoutAck,
    long lost,
    long duplicated,
    long retriedVotes,
    long resentVotes,
    long uncertainAttempts,
    long deduplicated,
    FaultEvidence evidence,
    List<String> problems,
    long elapsedMillis,
    Map<String, Long> acknowledgedPerRoute,
    long maxUnavailableMillis,
    long slowestAckMillis,
    double ratePerSecond,
    RecountCheck recount) {

  /** The recount's word on the whole stack after the run. */
  public record RecountCheck(boolean agrees, String account) {
    static final RecountCheck NOT_RUN = new RecountCheck(false, "not run");
  }

  public FaultResult {
    problems = List.copyOf(problems);
    acknowledgedPerRoute = Map.copyOf(acknowledgedPerRoute);
  }

  /**
   * Nothing lost or doubled, the stores agree, the recount agrees, something was acknowledged, and the fault
   * really happened.
   */
  public boolean passed() {
    return lost == 0 && duplicated == 0 && acknowledged > 0 && problems.isEmpty() && evidence.happened()
        && recount.agrees();
  }

  /** The counts alone, with no fault attached yet; {@link #withFault} completes them. */
  public static FaultResult judge(
      String runId,
      List<VoteOutcome> outcomes,
      Set<String> storedIds,
      Map<String, Long> redisGrowth) {
    Set<String> acknowledged = new HashSet<>();
    Set<String> uncertain = new HashSet<>();
    Map<String, String> bandOf = new HashMap<>();
    long refused = 0;
    long retried = 0;
    long resent = 0;
    long uncertainAttempts = 0;
    long maxUnavailable = 0;
    long slowestAck = 0;
    Map<String, Long> ackedPerRoute = new TreeMap<>();
    for (VoteOutcome o : outcomes) {
      if (o.result() == VoteOutcome.Result.ACKNOWLEDGED) {
        ackedPerRoute.merge(o.route(), 1L, Long::sum);
        slowestAck = Math.max(slowestAck, o.waitedMillis());
      }
      if (o.uncertainAttempts() > 0) {
        maxUnavailable = Math.max(maxUnavailable, o.waitedMillis());
      }
      bandOf.put(o.voteId(), o.band());
      if (o.result() == VoteOutcome.Result.ACKNOWLEDGED) {
        acknowledged.add(o.voteId());
      } else if (o.uncertain()) {
        uncertain.add(o.voteId());
      }
      if (o.result() == VoteOutcome.Result.REFUSED) {
        refused++;
      }
      if (o.resent()) {
        resent++;
      }
      if (o.attempts() > (o.resent() ? 2 : 1)) {
        retried++;
      }
      uncertainAttempts += o.uncertainAttempts();
    }

    List<String> problems = new ArrayList<>();
    Map<String, Long> ackedPerBand = new TreeMap<>();
    Map<String, Long> storedPerBand = new TreeMap<>();
    Map<String, Long> existingPerBand = new TreeMap<>(); // S ∪ A
    long lostFromMongo = 0;
    for (String id : acknowledged) {
      ackedPerBand.merge(bandOf.get(id), 1L, Long::sum);
      if (!storedIds.contains(id)) {
        lostFromMongo++;
        existingPerBand.merge(bandOf.get(id), 1L, Long::sum);
      }
    }
    long acceptedWithoutAck = 0;
    List<String> strangers = new ArrayList<>();
    for (String id : storedIds) {
      String band = bandOf.get(id);
      if (band == null || !(acknowledged.contains(id) || uncertain.contains(id))) {
        strangers.add(id);
        continue;
      }
      storedPerBand.merge(band, 1L, Long::sum);
      existingPerBand.merge(band, 1L, Long::sum);
      if (!acknowledged.contains(id)) {
        acceptedWithoutAck++;
      }
    }
    if (!strangers.isEmpty()) {
      problems.add(strangers.size() + " stored voteId(s) were never sent or were refused at the door, e.g. "
          + strangers.subList(0, Math.min(3, strangers.size())));
    }

    Set<String> bands = new HashSet<>(bandOf.values());
    bands.addAll(redisGrowth.keySet());
    long counted = 0;
    long lostFromRedis = 0;
    long duplicated = 0;
    Map<String, String> disagreements = new TreeMap<>();
    for (String band : bands) {
      long r = redisGrowth.getOrDefault(band, 0L);
      counted += r;
      lostFromRedis += Math.max(0, ackedPerBand.getOrDefault(band, 0L) - r);
      duplicated += Math.max(0, r - existingPerBand.getOrDefault(band, 0L));
      long s = storedPerBand.getOrDefault(band, 0L);
      if (r != s) {
        disagreements.put(band, "Redis +" + r + " vs MongoDB " + s);
      }
    }
    if (!disagreements.isEmpty()) {
      problems.add("Redis and MongoDB disagree: " + disagreements);
    }
    return new FaultResult(
        null,
        runId,
        outcomes.size(),
        acknowledged.size(),
        outcomes.stream()
            .filter(o -> o.result() == VoteOutcome.Result.UNAVAILABLE || o.result() == VoteOutcome.Result.PENDING)
            .count(),
        refused,
        counted,
        storedIds.size(),
        acceptedWithoutAck,
        Math.max(lostFromMongo, lostFromRedis),
        duplicated,
        retried,
        resent,
        uncertainAttempts,
        -1,
        FaultEvidence.NONE,
        problems,
        0,
        ackedPerRoute,
        maxUnavailable,
        slowestAck,
        0,
        RecountCheck.NOT_RUN);
  }

  /** Whether the stores already show the final picture (used while waiting for the pipeline). */
  public boolean consistent() {
    return lost == 0 && duplicated == 0 && problems.isEmpty();
  }

  /**
   * The run's judgement completed: the fault and what it did, the copies dropped, further problems, the run's
   * length, the acknowledged votes per second of sending, and the recount's word.
   */
  public FaultResult withFault(Fault f, FaultEvidence e, long dedup, List<String> extraProblems, long elapsed,
      double rate, RecountCheck check) {
    List<String> all = new ArrayList<>(problems);
    all.addAll(extraProblems);
    return new FaultResult(
        f, runId, sent, acknowledged, unacknowledged, refused, counted, stored, acceptedWithoutAck, lost, duplicated,
        retriedVotes, resentVotes, uncertainAttempts, dedup, e, all, elapsed, acknowledgedPerRoute,
        maxUnavailableMillis, slowestAckMillis, rate, check);
  }
}
