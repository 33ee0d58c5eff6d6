package gt.quetzal.kit;

/**
 * What a service's {@code start} returns (a record of its bound ports and the rest): {@link #close()}
 * stops everything it started, in reverse order, once.
 */
public interface RunningService extends AutoCloseable {

  /** What the start registered, as {@link ServiceMain#start} handed it over. */
  Closer started();

  @Override
  default void close() {
    started().close();
  }
}
