package gt.quetzal.streams.query;

/** A state store cannot answer right now (starting, rebalancing, shutting down); retry shortly. */
public final class StoreUnavailableException extends RuntimeException {

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
