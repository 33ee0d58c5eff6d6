package gt.quetzal.kit;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of every service's {@code main} (config from the environment → start → one close on shutdown)
 * and the frame of its {@code start} (the registry, then the service's own wiring, undone on failure).
 */
public final class ServiceMain {

  private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

  /** The exit status of a service whose environment is wrong; the log line names every bad variable. */
  public static final int BAD_CONFIG = 2;

  private ServiceMain() {}

  /**
   * Reads the config from the process's environment and starts the service; the JVM's shutdown
   * (Ctrl-C, SIGTERM from Kubernetes) closes what {@code start} returned. A bad environment exits with
   * {@link #BAD_CONFIG} and one log line instead of a stack trace: nothing was started yet.
   */
  public static <C> void run(
      Function<Map<String, String>, C> config, Function<C, ? extends AutoCloseable> start) {
    C read;
    try {
      read = config.apply(System.getenv());
    } catch (EnvReader.ConfigException e) {
      log.error(e.getMessage());
      System.exit(BAD_CONFIG);
      return;
    }
    AutoCloseable running = start.apply(read);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> Closer.closeQuietly(running), "shutdown"));
  }

  /** What a service's start wires: each part it starts is registered with {@code started}. */
  @FunctionalInterface
  public interface Wiring<T> {
    T wire(Closer started, PrometheusMeterRegistry registry);
  }

  /**
   * Starts a service: logs its config (whose {@code toString} redacts credentials), makes its meter
   * registry ({@link ServiceMetrics}, closed last), then runs {@code wiring}. A failure closes what had
   * started and goes on; otherwise closing {@code started} stops everything in reverse order and logs
   * that the service stopped.
   */
  public static <T> T start(String service, Object config, Wiring<T> wiring) {
    log.info("starting {} with {}", service, config);
    return Closer.starting(
        started -> {
          started.register(() -> log.info("{} stopped", service));
          return wiring.wire(started, ServiceMetrics.prometheus(started));
        });
  }
}
