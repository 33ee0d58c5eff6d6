package gt.quetzal.web;

/** A serving store could not answer; the API turns it into 503 problem+json naming the backend. */
public final class BackendUnavailableException extends RuntimeException {

  private final String backend;

  public BackendUnavailableException(String backend, Throwable cause) {
    super(backend + " unavailable: " + cause, cause);
    this.backend = backend;
  }

  /** {@code redis} or {@code mongo}. */
  public String backend() {
    return backend;
  }
}
