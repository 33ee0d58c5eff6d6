package gt.quetzal.sinks;

/** What the HTTP probes need to know about one sink loop. */
public interface SinkStatus {

  String store();

  /** The loop thread is running (false once it stopped or crashed). */
  boolean alive();

  /** The loop stopped because of an unexpected error: liveness fails so the pod gets restarted. */
  boolean crashed();

  /** The last contact with the store (write, setup or idle ping) succeeded. */
  boolean storeUp();
}
