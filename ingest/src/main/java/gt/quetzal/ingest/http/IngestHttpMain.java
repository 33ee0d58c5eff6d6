package gt.quetzal.ingest.http;

import gt.quetzal.ingest.core.IngestOps;
import gt.quetzal.ingest.core.IngestBackend;
import gt.quetzal.kit.Closer;
import gt.quetzal.kit.ServiceMain;
import io.javalin.Javalin;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs ingest-http: config, then the Kafka publisher, then the validator and app, then the server. */
public final class IngestHttpMain {

  private static final Logger log = LoggerFactory.getLogger(IngestHttpMain.class);

  private IngestHttpMain() {}

  public static void main(String[] args) {
    ServiceMain.run(IngestHttpConfig::fromEnv, IngestHttpMain::start);
  }

  /**
   * Starts the publisher and the HTTP server; the handle closes them in reverse order. Kafka need
   * not be up: until it is, {@code /readyz} says so and votes get 503.
   */
  public static Running start(IngestHttpConfig config) {
    return start(config, Clock.systemUTC());
  }

  /** As {@link #start(IngestHttpConfig)} with {@code clock} stamping votes: the fault runs' clock-skew seam. */
  public static Running start(IngestHttpConfig config, Clock clock) {
    return ServiceMain.start(IngestHttpConfig.SERVICE, config, (started, registry) -> {
      IngestBackend backend = IngestBackend.start(config.kafka(), config.rules(), registry, started, clock);
      // On stop: refuses new requests, lets those in flight finish (SHUTDOWN_TIMEOUT_MS); then the producer flushes.
      Javalin server = new IngestHttpApp(backend.validator(), backend.publisher(), registry, config).create().start();
      started.register(server::stop);
      Javalin ops = null;
      if (config.hasOpsPort()) {
        ops = IngestOps.endpoints(backend.publisher(), registry, Runnable::run).create().start(config.opsPort());
        started.register(ops::stop);
      }
      log.info(
          "ingest-http listening on port {}{}, publishing to Kafka at {}; rate limit {}",
          server.port(),
          ops == null ? " (with /metrics)" : " (/metrics on ops port " + ops.port() + ")",
          config.kafka().bootstrapServers(),
          config.rateLimit().enabled()
              ? config.rateLimit().perSecond() + "/s, burst " + config.rateLimit().burst() + ", per " + config.rateLimit().key()
              : "off");
      return new Running(server.port(), ops == null ? server.port() : ops.port(), backend, started);
    });
  }

  /**
   * The running service: the bound HTTP port (also with {@code HTTP_PORT=0}), where /metrics is served
   * (OPS_PORT's bound port, or the HTTP port without it), and {@link #close()} in reverse start order.
   */
  public record Running(int httpPort, int opsPort, IngestBackend backend, Closer started)
      implements IngestBackend.Running {}
}
