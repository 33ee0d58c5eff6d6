package gt.quetzal.ingest.http;

import java.util.Objects;

/**
 * Ends a request with a problem document. Thrown from a handler and written by the app's exception
 * mapping, so helpers can bail out from any depth.
 */
final class ProblemException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Problem problem;
  private final String rejectReason;

  /**
   * @param rejectReason the {@code reason} tag of the rejected-votes counter, or {@code null} when
   *                     the request was not a vote
   */
  ProblemException(Problem problem, String rejectReason) {
    super(problem.title() + ": " + problem.detail(), null, false, false); // no stack: this is control flow
    this.problem = Objects.requireNonNull(problem, "problem");
    this.rejectReason = rejectReason;
  }

  Problem problem() {
    return problem;
  }

  String rejectReason() {
    return rejectReason;
  }
}
