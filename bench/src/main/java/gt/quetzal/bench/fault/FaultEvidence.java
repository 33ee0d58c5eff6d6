package gt.quetzal.bench.fault;

/**
 * What the stack did when told to fail: whether the failure was observed (a PID changed, a port refused
 * connections, a process exited on SIGKILL) and a one-line account for the report.
 */
public record FaultEvidence(boolean happened, String account) {

  static final FaultEvidence NONE = new FaultEvidence(false, "no fault injected");
}
