package gt.quetzal.load.reconcile;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** Where the reconciler looks: the streams app, Redis and MongoDB, or a fake in tests. */
public interface Pipeline {

  /**
   * The counters now.
   *
   * @throws PipelineException naming the store that could not answer
   */
  PipelineState state();

  /** The voteIds in {@code quetzal.votes} that start with one of the run prefixes plus a dot. */
  Set<String> storedVoteIds(Collection<String> runIds);

  /** For {@code quetzal.rejected}: voteId (with one of the run prefixes) to how many rejections name it. */
  Map<String, Long> rejectedVoteIds(Collection<String> runIds);

  /** A store did not answer; the message says which and why. */
  final class PipelineException extends RuntimeException {
    public PipelineException(String message, Throwable cause) {
      super(message, cause);
    }

    public PipelineException(String message) {
      super(message);
    }
  }
}
