package gt.quetzal.load.reconcile;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A pipeline that answers a scripted sequence of states (the last one repeats) and fixed documents. */
final class FakePipeline implements Pipeline {

  private final Deque<PipelineState> states = new ArrayDeque<>();
  final Set<String> stored = new HashSet<>();
  final Map<String, Long> rejected = new HashMap<>();
  RuntimeException failure;
  int looks;

  FakePipeline then(PipelineState state) {
    states.add(state);
    return this;
  }

  @Override
  public synchronized PipelineState state() {
    looks++;
    if (failure != null) {
      throw failure;
    }
    return states.size() > 1 ? states.poll() : states.peek();
  }

  @Override
  public Set<String> storedVoteIds(Collection<String> runIds) {
    return stored;
  }

  @Override
  public Map<String, Long> rejectedVoteIds(Collection<String> runIds) {
    return rejected;
  }

  static PipelineState state(long accepted, long duplicates, long unknownBand, Map<String, Long> bands, long votes, long rejected) {
    Map<String, Long> stats = new HashMap<>();
    stats.put("accepted", accepted);
    stats.put("duplicates", duplicates);
    stats.put("rejected", unknownBand);
    if (unknownBand > 0) {
      stats.put("rejected.unknown_band", unknownBand);
    }
    return new PipelineState(stats, stats, bands, votes, rejected);
  }
}
