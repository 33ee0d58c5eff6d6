package gt.quetzal.streams.runtime;

import gt.quetzal.streams.query.LocalTallies;
import gt.quetzal.streams.query.RoutingTallies;
import gt.quetzal.streams.query.StreamsHttpApp;
import gt.quetzal.streams.query.TallyQueries;
import gt.quetzal.streams.topology.ContestStore;
import gt.quetzal.streams.topology.VoteIdMemory;
import gt.quetzal.streams.topology.StoreNames;
import gt.quetzal.streams.topology.VotesTopology;

import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.kit.Closer;
import gt.quetzal.kit.RunningService;
import gt.quetzal.kit.ServiceMain;
import io.javalin.Javalin;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires config → Kafka Streams → HTTP server, and one handle that closes them in reverse. */
public final class StreamsMain {

  /** How long a start waits for Kafka and the topics ({@link TopicsPresent}). */
  static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(120);

  /** Bounded so Ctrl-C and pod termination finish even with the broker gone. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /** Prometheus: {@code quetzal_votes_duplicates_total}. */
  public static final String DUPLICATES_METER = "quetzal.votes.duplicates";

  private static final Logger LOG = LoggerFactory.getLogger(StreamsMain.class);

  private StreamsMain() {}

  public static void main(String[] args) {
    ServiceMain.run(StreamsAppConfig::fromEnv, StreamsMain::start);
  }

  /**
   * Builds Kafka Streams, waits for Kafka and the topics ({@link TopicsPresent}), starts it, then the HTTP
   * server. State from the state dir is reused as is: no
   * {@code cleanUp()}, which would force a full restore from the changelogs on every start.
   */
  public static Running start(StreamsAppConfig config) {
    return ServiceMain.start(StreamsAppConfig.SERVICE, config, (started, registry) -> {
      KafkaStreams streams =
          new KafkaStreams(
              VotesTopology.build(config.topologyOptions()), StreamsConfigFactory.properties(config));
      streams.setUncaughtExceptionHandler(new ThreadReplacingHandler());
      streams.setStateListener(
          (newState, oldState) -> LOG.info("Kafka Streams {} -> {}", oldState, newState));
      started.register(new KafkaStreamsMetrics(streams)).bindTo(registry);
      // Always present on /metrics, whereas the binder picks up the per-thread sensor only once a
      // task exists. Sums over live threads, so it can dip when a thread is replaced (a counter reset).
      FunctionCounter.builder(
              DUPLICATES_METER, streams, s -> VoteIdMemory.duplicatesTotal(s.metrics()))
          .description("Votes dropped because their voteId was already counted")
          .register(registry);
      String rocksDbPool = StreamsConfigFactory.rocksDbPoolName(config);
      started.register(() -> close(streams, rocksDbPool));

      awaitTopics(config);
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
      Javalin http =
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
      started.register(http::stop);
      LOG.info(
          "streams-app up: application.id={} bootstrap={} http port {} application.server={} state dir {}"
              + " (the contest comes from contest.catalog)",
          config.applicationId(),
          config.bootstrapServers(),
          http.port(),
          config.applicationServer() == null ? "(none: local queries only)" : config.applicationServer(),
          config.stateDir());
      return new Running(streams, http.port(), started);
    });
  }

  private static void awaitTopics(StreamsAppConfig config) {
    try {
      TopicsPresent.await(config.bootstrapServers(), TopicsPresent.projectTopics(), TOPICS_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the topics", e);
    }
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

  /**
   * Leaving the group hands the partitions over now instead of after session.timeout.ms, so a restart
   * (./quetzal up again, a rolling update) resumes in seconds. A crash still waits.
   */
  private static void close(KafkaStreams streams, String rocksDbPool) {
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
  }

  /**
   * The running app: the Kafka Streams client (for tests and diagnostics) and the bound HTTP port (the
   * real one when started with HTTP_PORT=0). {@link #close()} stops the HTTP server first, then Kafka
   * Streams, its metrics and the registry.
   */
  public record Running(KafkaStreams streams, int httpPort, Closer started) implements RunningService {

    public KafkaStreams.State state() {
      return streams.state();
    }
  }
}
