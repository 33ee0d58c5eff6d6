package gt.quetzal.bench.streams;

import gt.quetzal.bench.BenchEnv;
import gt.quetzal.bench.results.ResultsDir;
import gt.quetzal.kit.EnvReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@code ./quetzal bench streams} runs, from the environment.
 *
 * @param votes          {@code BENCH_STREAMS_VOTES}, default 2,000,000 records written to votes.raw
 * @param eventRate      {@code BENCH_STREAMS_EVENT_RATE}, default 3,000: simulated votes per second of
 *                       contest, which spreads the votes' timestamps over minute windows
 * @param seed           {@code BENCH_STREAMS_SEED}, default 2026
 * @param timeoutSeconds {@code BENCH_STREAMS_TIMEOUT_SECONDS}, default 1,200: give up catching up after this
 * @param catalogFile    {@code CATALOG_FILE}, default {@code config/catalog.json}
 * @param streamsClasspath {@code BENCH_STREAMS_CLASSPATH}: the streams app's jar and dependencies;
 *                       default {@code streams-app/target/streams-app-*.jar} plus its {@code classpath.txt}
 * @param streamsJvmOptions {@code BENCH_STREAMS_JVM_OPTS} (space separated), default the launcher's
 *                       service options; add {@code -XX:StartFlightRecording=filename=x.jfr} to profile
 * @param output         {@code BENCH_STREAMS_OUTPUT}: also write the result (markdown) here
 * @param skews          {@code BENCH_STREAMS_SKEW}, default {@code zipf}: a comma list of {@code zipf},
 *                       {@code uniform}, {@code hot}; each gets a broker and a fill of its own, and every
 *                       app (and instance count) catches up on it
 * @param hotShare       {@code BENCH_STREAMS_HOT_SHARE}, default 0.5: the hot band's share of valid votes
 * @param instances      {@code BENCH_STREAMS_INSTANCES}, default {@code 1}: a comma list of instance
 *                       counts; the streams app catches up once per count, as one group
 * @param partitions     {@code BENCH_STREAMS_PARTITIONS}: raise votes.raw and every other topic the
 *                       devstack created with more than one partition to this many before the fill;
 *                       default 0, the devstack's own counts
 * @param rounds         {@code BENCH_STREAMS_ROUNDS}, default 1: how often ConsumerPerformance and every app
 *                       run on the same fill, in turn; with 3, a target is read as the median of the rounds
 * @param resultsDir     {@code BENCH_RESULTS_DIR}, default {@code .quetzal/bench-results}: where
 *                       {@code streams.json} goes
 * @param profileDir     {@code BENCH_PROFILE_DIR}: when set, every app JVM records JFR (the JDK's
 *                       "profile" settings) into this directory and the run prints where its stream
 *                       threads spent their samples ({@link StreamThreadProfile}); {@code null}: no recording
 */
record StreamsBenchConfig(
    long votes,
    int eventRate,
    long seed,
    int timeoutSeconds,
    Path catalogFile,
    String streamsClasspath,
    List<String> streamsJvmOptions,
    List<App> apps,
    Path output,
    List<StreamsVoteMix.Skew> skews,
    double hotShare,
    List<Integer> instances,
    int partitions,
    int rounds,
    Path resultsDir,
    Path profileDir) {

  /** What catches up: the streams app, or one of the {@link StreamsFloor} reference topologies. */
  enum App {
    QUETZAL("quetzal", null),
    FLOOR_COPY("floor-copy", StreamsFloor.Mode.COPY),
    FLOOR_DEDUP("floor-dedup", StreamsFloor.Mode.DEDUP);

    final String label;
    /** The floor this runs, or {@code null} for the streams app itself. */
    final StreamsFloor.Mode floor;

    App(String label, StreamsFloor.Mode floor) {
      this.label = label;
      this.floor = floor;
    }

    boolean isFloor() {
      return floor != null;
    }

    static App of(String label) {
      for (App app : values()) {
        if (app.label.equals(label)) {
          return app;
        }
      }
      return null;
    }
  }

  /** The same as SERVICE_JVM_OPTS in ./quetzal, so the RSS is what `./quetzal up` would show. */
  static final String DEFAULT_JVM_OPTS =
      "-XX:+UseSerialGC -Xms32m -Xmx192m -Xss512k -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=96m";

  StreamsBenchConfig {
    streamsJvmOptions = List.copyOf(streamsJvmOptions);
    apps = List.copyOf(apps);
    skews = List.copyOf(skews);
    instances = List.copyOf(instances);
  }

  static StreamsBenchConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    long votes = env.longValue("BENCH_STREAMS_VOTES", 2_000_000, 1_000, 100_000_000);
    int eventRate = env.integer("BENCH_STREAMS_EVENT_RATE", 3_000, 1, 10_000_000);
    long seed = env.longValue("BENCH_STREAMS_SEED", 2026, 0, Long.MAX_VALUE);
    int timeout = env.integer("BENCH_STREAMS_TIMEOUT_SECONDS", 1_200, 10, 86_400);
    Path catalog = BenchEnv.catalogFile(env, true);
    String classpath = env.optional("BENCH_STREAMS_CLASSPATH");
    if (classpath == null) {
      classpath = defaultClasspath(Path.of("streams-app", "target"));
      if (classpath == null) {
        env.problem(
            "BENCH_STREAMS_CLASSPATH is not set and streams-app/target has no jar and classpath.txt"
                + " (run from the repo root after './quetzal build')");
      }
    }
    List<String> jvm =
        Arrays.stream(env.string("BENCH_STREAMS_JVM_OPTS", DEFAULT_JVM_OPTS).trim().split("\\s+"))
            .filter(s -> !s.isEmpty())
            .toList();
    List<App> apps = apps(env.string("BENCH_STREAMS_APP", App.QUETZAL.label), env);
    String out = env.optional("BENCH_STREAMS_OUTPUT");
    List<StreamsVoteMix.Skew> skews = skews(env.string("BENCH_STREAMS_SKEW", StreamsVoteMix.Skew.ZIPF.label), env);
    double hotShare = share(env.string("BENCH_STREAMS_HOT_SHARE", "0.5"), env);
    List<Integer> instances = instances(env.string("BENCH_STREAMS_INSTANCES", "1"), env);
    int partitions = env.integer("BENCH_STREAMS_PARTITIONS", DEFAULT_PARTITIONS, 0, 1_000);
    int rounds = env.integer("BENCH_STREAMS_ROUNDS", 1, 1, 9);
    Path results = ResultsDir.from(env);
    String profile = env.optional("BENCH_PROFILE_DIR");
    env.validate("bench-streams");
    return new StreamsBenchConfig(
        votes, eventRate, seed, timeout, catalog, classpath, jvm, apps, out == null ? null : Path.of(out),
        skews, hotShare, instances, partitions, rounds, results, profile == null ? null : Path.of(profile).toAbsolutePath());
  }

  /** Keep the partition counts the devstack created. */
  static final int DEFAULT_PARTITIONS = 0;

  static List<StreamsVoteMix.Skew> skews(String labels, EnvReader env) {
    List<StreamsVoteMix.Skew> skews = new ArrayList<>();
    for (String label : labels.split(",")) {
      StreamsVoteMix.Skew skew = StreamsVoteMix.Skew.of(label.trim());
      if (skew == null) {
        env.problem("BENCH_STREAMS_SKEW=" + labels + ": '" + label.trim() + "' is not one of zipf, uniform, hot");
      } else if (!skews.contains(skew)) {
        skews.add(skew);
      }
    }
    return skews;
  }

  static double share(String text, EnvReader env) {
    try {
      double share = Double.parseDouble(text);
      if (share > 0 && share < 1) {
        return share;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    env.problem("BENCH_STREAMS_HOT_SHARE=" + text + " is not a share strictly between 0 and 1");
    return 0.5;
  }

  static List<Integer> instances(String list, EnvReader env) {
    List<Integer> counts = new ArrayList<>();
    for (String item : list.split(",")) {
      try {
        int n = Integer.parseInt(item.trim());
        if (n >= 1 && n <= 8) {
          counts.add(n);
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      env.problem("BENCH_STREAMS_INSTANCES=" + list + ": '" + item.trim() + "' is not an instance count from 1 to 8");
    }
    return counts;
  }

  /** A comma-separated list of app labels, or {@code all} (the app, then both floors). */
  static List<App> apps(String labels, EnvReader env) {
    if (labels.trim().equals("all")) {
      return List.of(App.QUETZAL, App.FLOOR_DEDUP, App.FLOOR_COPY);
    }
    List<App> apps = new ArrayList<>();
    for (String label : labels.split(",")) {
      App app = App.of(label.trim());
      if (app == null) {
        env.problem(
            "BENCH_STREAMS_APP=" + labels + ": '" + label.trim()
                + "' is not one of quetzal, floor-dedup, floor-copy (or use all)");
      } else if (!apps.contains(app)) {
        apps.add(app);
      }
    }
    return apps;
  }

  /** The module jar and its dependency list, as ./quetzal's classpath_of builds it; null if not built. */
  static String defaultClasspath(Path target) {
    Path deps = target.resolve("classpath.txt");
    if (!Files.isRegularFile(deps)) {
      return null;
    }
    try (Stream<Path> files = Files.list(target)) {
      Path jar =
          files
              .filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("streams-app-") && n.endsWith(".jar")
                    && !n.contains("-sources") && !n.contains("-tests");
              })
              .findFirst()
              .orElse(null);
      return jar == null ? null : jar.toAbsolutePath() + ":" + Files.readString(deps).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
