package gt.quetzal.ingest.http;

import gt.quetzal.kit.Closer;
import gt.quetzal.kit.EnvReader;
import gt.quetzal.ingest.core.ContestGate;
import gt.quetzal.ingest.core.KafkaVotePublisher;
import gt.quetzal.ingest.core.OpsHttpApp;
import gt.quetzal.ingest.core.VotePublisher;
import gt.quetzal.ingest.core.VoteValidator;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs ingest-http: config, then the Kafka publisher, then the validator and app, then the server. */
public final class IngestHttpMain {

  private static final Logger log = LoggerFactory.getLogger(IngestHttpMain.class);

  private IngestHttpMain() {}

  public static void main(String[] args) {
    IngestHttpConfig config;
    try {
      config = IngestHttpConfig.fromEnv(System.getenv());
    } catch (EnvReader.ConfigException e) {
      log.error(e.getMessage());
      System.exit(2);
      return;
    }
    Running running = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "shutdown"));
  }

  /**
   * Starts the publisher and the HTTP server; the handle closes them in reverse order. Kafka need
   * not be up: until it is, {@code /readyz} says so and votes get 503.
   */
  public static Running start(IngestHttpConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);

    ContestGate contest = ContestGate.follow(config.kafka().contestFollowerProperties());
    KafkaVotePublisher publisher = KafkaVotePublisher.create(config.kafka(), registry);
    try {
      VoteValidator validator = VoteValidator.standard(config.rules()).withContest(contest);
      VotePublisher guarded = contest.guard(publisher);
      Javalin server = new IngestHttpApp(validator, guarded, registry, config).create().start();
      Javalin ops = null;
      if (config.hasOpsPort()) {
        try {
          ops = new OpsHttpApp(guarded, registry, config.opsPort()).create().start();
        } catch (RuntimeException e) {
          server.stop();
          throw e;
        }
      }
      log.info(
          "ingest-http listening on port {}{}, publishing to Kafka at {}; rate limit {}",
          server.port(),
          ops == null ? " (with /metrics)" : " (/metrics on ops port " + ops.port() + ")",
          config.kafka().bootstrapServers(),
          config.rateLimit().enabled()
              ? config.rateLimit().perSecond() + "/s, burst " + config.rateLimit().burst() + ", per " + config.rateLimit().key()
              : "off");
      return new Running(server, ops, publisher, contest, registry);
    } catch (RuntimeException e) {
      publisher.close();
      Closer.closeQuietly(contest);
      registry.close();
      throw e;
    }
  }

  /** The running service. {@link #close()} is idempotent. */
  public static final class Running implements AutoCloseable {
    private final Javalin server;
    private final Javalin ops; // null without OPS_PORT
    private final KafkaVotePublisher publisher;
    private final ContestGate contest;
    private final PrometheusMeterRegistry registry;
    private final int httpPort;
    private final int opsPort;
    private boolean closed;

    Running(
        Javalin server,
        Javalin ops,
        KafkaVotePublisher publisher,
        ContestGate contest,
        PrometheusMeterRegistry registry) {
      this.server = server;
      this.ops = ops;
      this.publisher = publisher;
      this.contest = contest;
      this.registry = registry;
      this.httpPort = server.port();
      this.opsPort = ops == null ? httpPort : ops.port();
    }

    /** Blocks until the contest was read, so the next vote is judged against it (not answered 503). */
    public void awaitContest(Duration timeout) throws InterruptedException {
      contest.awaitReady(timeout);
    }

    /** Where /metrics is served: OPS_PORT's bound port, or the HTTP port without it. */
    public int opsPort() {
      return opsPort;
    }

    /** The bound port, also when started with {@code HTTP_PORT=0}. */
    public int httpPort() {
      return httpPort;
    }

    /**
     * Stops accepting requests and lets those in flight finish (bounded by {@code
     * SHUTDOWN_TIMEOUT_MS}), then flushes and closes the producer.
     */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (ops != null) {
        try {
          ops.stop();
        } catch (RuntimeException e) {
          log.warn("stopping the ops HTTP server failed: {}", e.toString());
        }
      }
      try {
        server.stop();
      } catch (RuntimeException e) {
        log.warn("stopping the HTTP server failed: {}", e.toString());
      }
      publisher.close();
      Closer.closeQuietly(contest);
      registry.close();
      log.info("ingest-http stopped");
    }
  }
}
