package gt.quetzal.web;

/**
 * Tells the app that the serving stores changed. In production one Redis subscription to
 * {@code RedisKeys.CHANGES_CHANNEL}; in tests a fake that fires on demand.
 */
public interface ChangeSource extends AutoCloseable {

  /** Starts delivering to {@code listener}; called once. Callbacks arrive on the source's own thread. */
  void start(Listener listener);

  /** Stops delivering; idempotent. */
  @Override
  void close();

  interface Listener {

    /** The source is (again) connected: anything may have changed while it was not. */
    void onConnected();

    /** The sinks announced a write; {@code note} is their JSON note, passed along as is. */
    void onChange(String note);

    /** The source lost its connection and is retrying; no changes arrive until {@link #onConnected()}. */
    void onLost(Exception cause);
  }
}
