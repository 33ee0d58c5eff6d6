package gt.quetzal.streams.runtime;


import gt.quetzal.streams.query.TallyQueries;
import gt.quetzal.streams.topology.TopologyOptions;
import gt.quetzal.streams.topology.VoterPolicy;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The streams app's configuration, read once from the environment by {@link #fromEnv}, which gives
 * every component a value (but the two documented below as optional) or fails naming the variable.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>KAFKA_BOOTSTRAP_SERVERS</td><td>localhost:9092</td><td>broker list</td></tr>
 *   <tr><td>APPLICATION_ID</td><td>quetzal-streams</td><td>consumer group and internal topic prefix</td></tr>
 *   <tr><td>STATE_DIR</td><td>${java.io.tmpdir}/quetzal-streams</td><td>local RocksDB state; one per instance</td></tr>
 *   <tr><td>HTTP_PORT</td><td>8081</td><td>health, metrics and interactive queries, all internal (no Ingress route); 0 picks a free port</td></tr>
 *   <tr><td>APPLICATION_SERVER</td><td>localhost:HTTP_PORT</td><td>host:port other instances reach this one at</td></tr>
 *   <tr><td>GROUP_INSTANCE_ID</td><td>(none)</td><td>static group membership, e.g. the pod name: a
 *       restart within the session timeout gets its partitions back without a rebalance</td></tr>
 *   <tr><td>NUM_STANDBY_REPLICAS</td><td>0</td><td>warm copies of each store on other instances</td></tr>
 *   <tr><td>NUM_STREAM_THREADS</td><td>1</td><td>processing threads of this instance</td></tr>
 *   <tr><td>COMMIT_INTERVAL_MS</td><td>50</td><td>transaction length; bounds output latency; also
 *       how often the per-task combiners flush</td></tr>
 *   <tr><td>CACHE_MAX_BYTES</td><td>1048576</td><td>record cache for all stores of the instance</td></tr>
 *   <tr><td>ROCKSDB_CACHE_BYTES</td><td>268435456</td><td>the one RocksDB cache (memtables included)
 *       shared by all stores of the instance</td></tr>
 *   <tr><td>DEDUP_RETENTION_MS</td><td>3600000</td><td>how long a voteId is remembered</td></tr>
 *   <tr><td>WINDOW_GRACE_MS</td><td>30000</td><td>how long after its minute a vote still counts;
 *       later ones are rejected as {@code late}</td></tr>
 *   <tr><td>TIMELINE_RETENTION_MS</td><td>604800000</td><td>how far back the per-minute timeline is kept</td></tr>
 *   <tr><td>LEADERBOARD_SIZE</td><td>10</td><td>default N of {@code GET /api/leaderboard}</td></tr>
 *   <tr><td>VOTER_POLICY</td><td>off</td><td>{@code off}, {@code per-band} or {@code per-contest}:
 *       at most one counted vote per voterId (per band, or in the whole contest); voterId becomes
 *       required</td></tr>
 * </table>
 *
 * @param applicationServer {@code host:port} advertised for interactive queries, or {@code null} when
 *     HTTP_PORT is 0 and none was given (the real port is unknown before binding; a single instance
 *     does not need it, and then queries are answered from local stores only)
 * @param groupInstanceId   static membership id, or {@code null} for dynamic membership
 * @param voterPolicy       the one-vote-per-voter policy
 */
public record StreamsAppConfig(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    int httpPort,
    String applicationServer,
    String groupInstanceId,
    int numStandbyReplicas,
    int numStreamThreads,
    long commitIntervalMs,
    long cacheMaxBytes,
    long rocksDbCacheBytes,
    Duration dedupRetention,
    Duration windowGrace,
    Duration timelineRetention,
    int leaderboardSize,
    VoterPolicy voterPolicy) {

  public static final String SERVICE = "streams-app";

  public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
  public static final String DEFAULT_APPLICATION_ID = "quetzal-streams";
  public static final int DEFAULT_HTTP_PORT = 8081;
  public static final int DEFAULT_NUM_STANDBY_REPLICAS = 0;
  public static final int DEFAULT_NUM_STREAM_THREADS = 1;
  /**
   * 50 ms: every commit ends the transaction and flushes the record caches, and the combiners flush
   * at the same pace, so a vote reaches {@code votes.accepted} within about one commit interval and
   * the reduced tallies behind a repartition within about three. At 100 ms the freshness benchmark's
   * p99 (vote accepted → visible in Redis, 5,000 votes/s) was 544–690 ms against a 500 ms target; at
   * 50 ms it fell by about 110 ms (docs/benchmarks.md). The cost is twenty transactions a second per
   * thread; catch-up throughput barely depends on it (100 ms vs 1 s gave the same rate).
   */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 50;
  /**
   * 1 MiB. Latency does not depend on it (every commit flushes the cache); it bounds memory and
   * absorbs repeated updates of a hot key between commits. The keys are bands, albums, minutes and
   * stats: a few hundred, so this is plenty.
   */
  public static final long DEFAULT_CACHE_MAX_BYTES = 1024 * 1024;
  /**
   * 256 MiB for all RocksDB stores of an instance, memtables included. The dedup store takes one
   * random-keyed put and point reads for every vote; with 64 MiB (a quarter of it for memtables),
   * catching up on 2M votes cost about twice the CPU per vote in three runs of four, the stream
   * thread mostly inside RocksDB's put (docs/benchmarks.md, Streams). The cache fills only as state
   * grows.
   */
  public static final long DEFAULT_ROCKSDB_CACHE_BYTES = 256L * 1024 * 1024;
  public static final long DEFAULT_DEDUP_RETENTION_MS = TopologyOptions.DEFAULT_DEDUP_RETENTION.toMillis();
  public static final long DEFAULT_WINDOW_GRACE_MS = TopologyOptions.DEFAULT_WINDOW_GRACE.toMillis();
  public static final long DEFAULT_TIMELINE_RETENTION_MS =
      TopologyOptions.DEFAULT_TIMELINE_RETENTION.toMillis();
  public static final int DEFAULT_LEADERBOARD_SIZE = 10;

  // Kafka's own rule for application.id, which also prefixes internal topic names.
  private static final Pattern KAFKA_ID = Pattern.compile("[a-zA-Z0-9._-]+");

  public static String defaultStateDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "quetzal-streams").toString();
  }

  /** Reads every variable, then fails once naming all bad ones. */
  public static StreamsAppConfig fromEnv(Map<String, String> environment) {
    return fromEnv(new EnvReader(environment));
  }

  /** The same, through a reader the caller keeps, so deployment checks can see which variables were read. */
  public static StreamsAppConfig fromEnv(EnvReader env) {
    String bootstrap = env.string("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP_SERVERS);
    String applicationId = env.string("APPLICATION_ID", DEFAULT_APPLICATION_ID);
    if (!KAFKA_ID.matcher(applicationId).matches()) {
      env.problem("APPLICATION_ID=" + applicationId + " may only contain letters, digits, '.', '_' and '-'");
    }
    String stateDir = env.string("STATE_DIR", defaultStateDir());
    int httpPort = env.port("HTTP_PORT", DEFAULT_HTTP_PORT);
    String applicationServer = env.optional("APPLICATION_SERVER");
    if (applicationServer == null) {
      applicationServer = httpPort == 0 ? null : "localhost:" + httpPort;
    } else if (!isHostAndPort(applicationServer)) {
      env.problem("APPLICATION_SERVER=" + applicationServer + " is not host:port (port 1..65535)");
    }
    String groupInstanceId = env.optional("GROUP_INSTANCE_ID");
    if (groupInstanceId != null && !KAFKA_ID.matcher(groupInstanceId).matches()) {
      env.problem(
          "GROUP_INSTANCE_ID=" + groupInstanceId + " may only contain letters, digits, '.', '_' and '-'");
    }
    int standbys = env.integer("NUM_STANDBY_REPLICAS", DEFAULT_NUM_STANDBY_REPLICAS, 0, 10);
    int threads = env.integer("NUM_STREAM_THREADS", DEFAULT_NUM_STREAM_THREADS, 1, 64);
    long commitInterval =
        env.longValue("COMMIT_INTERVAL_MS", DEFAULT_COMMIT_INTERVAL_MS, 1, 60_000);
    long cacheMaxBytes =
        env.longValue("CACHE_MAX_BYTES", DEFAULT_CACHE_MAX_BYTES, 0, 1024L * 1024 * 1024);
    long rocksDbCacheBytes =
        env.longValue(
            "ROCKSDB_CACHE_BYTES", DEFAULT_ROCKSDB_CACHE_BYTES, 1024L * 1024, 64L * 1024 * 1024 * 1024);
    long dedupRetention =
        env.longValue(
            "DEDUP_RETENTION_MS", DEFAULT_DEDUP_RETENTION_MS, 1_000, Duration.ofDays(7).toMillis());
    long windowGrace =
        env.longValue("WINDOW_GRACE_MS", DEFAULT_WINDOW_GRACE_MS, 0, Duration.ofDays(1).toMillis());
    long timelineRetention =
        env.longValue(
            "TIMELINE_RETENTION_MS",
            DEFAULT_TIMELINE_RETENTION_MS,
            TopologyOptions.WINDOW.toMillis(),
            Duration.ofDays(366).toMillis());
    if (timelineRetention < TopologyOptions.WINDOW.toMillis() + windowGrace) {
      env.problem(
          "TIMELINE_RETENTION_MS=" + timelineRetention
              + " must cover one minute plus WINDOW_GRACE_MS (" + windowGrace + ")");
    }
    int leaderboardSize =
        env.integer("LEADERBOARD_SIZE", DEFAULT_LEADERBOARD_SIZE, 1, TallyQueries.MAX_LEADERBOARD_SIZE);
    retiredCatalogFile(env);
    VoterPolicy voterPolicy = voterPolicy(env);
    env.validate(SERVICE);
    return new StreamsAppConfig(
        bootstrap,
        applicationId,
        Path.of(stateDir),
        httpPort,
        applicationServer,
        groupInstanceId,
        standbys,
        threads,
        commitInterval,
        cacheMaxBytes,
        rocksDbCacheBytes,
        Duration.ofMillis(dedupRetention),
        Duration.ofMillis(windowGrace),
        Duration.ofMillis(timelineRetention),
        leaderboardSize,
        voterPolicy);
  }

  private static VoterPolicy voterPolicy(EnvReader env) {
    String value = env.string("VOTER_POLICY", VoterPolicy.OFF.setting());
    VoterPolicy policy = VoterPolicy.fromSetting(value);
    if (policy == null) {
      env.problem("VOTER_POLICY=" + value + " must be one of off, per-band, per-contest");
      return VoterPolicy.OFF;
    }
    return policy;
  }

  /**
   * The contest lives in {@code contest.catalog} now; a deployment that still sets the old variable
   * would silently run another contest than it thinks, so it fails the start, saying what to do.
   */
  private static void retiredCatalogFile(EnvReader env) {
    String file = env.optional("CATALOG_FILE");
    if (file != null) {
      env.problem(
          "CATALOG_FILE=" + file + " is no longer read: the contest lives in the contest.catalog topic;"
              + " apply the file with './quetzal contest apply " + file + "' (or the catalog Job) and unset it");
    }
  }

  /** What the topology needs from this configuration. */
  public TopologyOptions topologyOptions() {
    return new TopologyOptions(
        dedupRetention,
        windowGrace,
        timelineRetention,
        Duration.ofMillis(commitIntervalMs),
        voterPolicy);
  }

  private static boolean isHostAndPort(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      return false;
    }
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      return port >= 1 && port <= 65_535;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
