package gt.quetzal.streams.runtime;

import gt.quetzal.streams.query.LocalTallies;
import gt.quetzal.streams.query.RoutingTallies;
import gt.quetzal.streams.query.StreamsHttpApp;
import gt.quetzal.streams.query.TallyQueries;
import gt.quetzal.streams.topology.ContestStore;
import gt.quetzal.streams.topology.DedupProcessor;
import gt.quetzal.streams.topology.StoreNames;
import gt.quetzal.streams.topology.VotesTopology;

import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.kit.Closer;
import io.javalin.Javalin;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires config → Kafka Streams → HTTP server, and one handle that closes them in reverse. */
public final class StreamsMain {

  /** Bounded so Ctrl-C and pod termination finish even with the broker gone. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /** Prometheus: {@code quetzal_votes_duplicates_total}. */
  public static final String DUPLICATES_METER = "quetzal.votes.duplicates";

  private static final Logger LOG = LoggerFactory.getLogger(StreamsMain.class);

  private StreamsMain() {}

  public static void main(String[] args) {
    StreamsAppConfig config = StreamsAppConfig.fromEnv(System.getenv());
    AutoCloseable running = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> Closer.closeQuietly(running), "shutdown"));
  }

  /**
   * Starts Kafka Streams, then the HTTP server. State from the state dir is reused as is: no
   * {@code cleanUp()}, which would force a full restore from the changelogs on every start.
   */
  public static Running start(StreamsAppConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KafkaStreams streams =
        new KafkaStreams(
            VotesTopology.build(config.topologyOptions()), StreamsConfigFactory.properties(config));
    streams.setUncaughtExceptionHandler(new ThreadReplacingHandler());
    streams.setStateListener(
        (newState, oldState) -> LOG.info("Kafka Streams {} -> {}", oldState, newState));
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    // Always present on /metrics, whereas the binder picks up the per-thread sensor only once a
    // task exists. Sums over live threads, so it can dip when a thread is replaced (a counter reset).
    FunctionCounter.builder(
            DUPLICATES_METER, streams, s -> DedupProcessor.duplicatesTotal(s.metrics()))
        .description("Votes dropped because their voteId was already counted")
        .register(registry);

    Running running =
        new Running(streams, streamsMetrics, registry, StreamsConfigFactory.rocksDbPoolName(config));
    try {
      streams.start();
      LocalTallies local = new LocalTallies(streams);
      TallyQueries cluster = local;
      TallyQueries owned = local;
      if (config.applicationServer() != null) {
        RoutingTallies routing =
            new RoutingTallies(
                streams,
                HostInfo.buildFromEndpoint(config.applicationServer()),
                local,
                RoutingTallies.DEFAULT_PEER_TIMEOUT);
        cluster = routing;
        owned = routing.ownedOnly();
      }
      running.http =
          new StreamsHttpApp(
                  streams::state,
                  cluster,
                  owned,
                  StreamsHttpApp.bandLookup(() -> contest(streams)),
                  config.leaderboardSize(),
                  Clock.systemUTC(),
                  registry)
              .create()
              .start(config.httpPort());
    } catch (RuntimeException e) {
      Closer.closeQuietly(running);
      throw e;
    }
    LOG.info(
        "streams-app up: application.id={} bootstrap={} http port {} application.server={} state dir {}"
            + " (the contest comes from contest.catalog)",
        config.applicationId(),
        config.bootstrapServers(),
        running.httpPort(),
        config.applicationServer() == null ? "(none: local queries only)" : config.applicationServer(),
        config.stateDir());
    return running;
  }

  /** The contest as this instance's global store holds it; open while the store is not queryable. */
  private static CatalogIndex contest(KafkaStreams streams) {
    try {
      return streams
          .store(StoreQueryParameters.fromNameAndType(StoreNames.CONTEST, ContestStore.QUERY_TYPE))
          .index();
    } catch (InvalidStateStoreException e) {
      return CatalogIndex.OPEN;
    }
  }

  /** The running app. {@link #close()} stops the HTTP server first, then Kafka Streams. */
  public static final class Running implements AutoCloseable {

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final PrometheusMeterRegistry registry;
    private final String rocksDbPool;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Javalin http;

    private Running(
        KafkaStreams streams,
        KafkaStreamsMetrics streamsMetrics,
        PrometheusMeterRegistry registry,
        String rocksDbPool) {
      this.streams = streams;
      this.streamsMetrics = streamsMetrics;
      this.registry = registry;
      this.rocksDbPool = rocksDbPool;
    }

    /** The Kafka Streams client (for tests and diagnostics). */
    public KafkaStreams streams() {
      return streams;
    }

    /** The bound HTTP port (the real one when started with HTTP_PORT=0). */
    public int httpPort() {
      return http.port();
    }

    public KafkaStreams.State state() {
      return streams.state();
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        if (http != null) {
          http.stop();
        }
      } finally {
        try {
          // Leaving the group hands the partitions over now instead of after session.timeout.ms, so
          // a restart (./quetzal up again, a rolling update) resumes in seconds. A crash still waits.
          boolean clean =
              streams.close(
                  CloseOptions.timeout(CLOSE_TIMEOUT)
                      .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
          if (clean) {
            RocksDBMemoryPool.release(rocksDbPool);
          } else {
            // Stores may still be open on a stuck thread; freeing their cache under them would crash
            // the JVM. The process is going away anyway.
            LOG.warn("Kafka Streams did not close within {}; RocksDB memory left to the OS", CLOSE_TIMEOUT);
          }
        } finally {
          streamsMetrics.close();
          registry.close();
        }
      }
    }
  }
}
