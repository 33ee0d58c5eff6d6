package gt.quetzal.bench.streams;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.bench.ProcStats;
import gt.quetzal.bench.stack.ChildJvm;
import gt.quetzal.bench.stack.Infra;
import gt.quetzal.bench.stack.ScratchDir;
import gt.quetzal.bench.stack.Service;
import gt.quetzal.contract.Json;
import gt.quetzal.devstack.Ports;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One app catching up on a full {@code votes.raw} in a JVM of its own: RSS samples and the moments of the
 * catch-up, in ms since the app's launch.
 */
record CatchUp(
    boolean complete,
    int instances,
    long runningAtMs,
    long lagZeroAtMs,
    long doneAtMs,
    List<long[]> rss,
    long cpuMillis,
    long cpuAtRunningMillis,
    JsonNode stats,
    double maxLoad,
    Path log) {

  static final String APPLICATION_ID = "quetzal-streams-bench";
  private static final long TICK_MS = 250;

  long catchUpMs() {
    return doneAtMs - runningAtMs;
  }

  /** The largest RSS any one instance reached. */
  long peakRss() {
    return rss.stream().mapToLong(s -> s[1]).max().orElse(0);
  }

  /** Median over the second half of the catch-up of the largest instance's RSS: the working set once warm. */
  long steadyRss() {
    long from = runningAtMs + catchUpMs() / 2;
    long[] window =
        rss.stream().filter(s -> s[0] >= from && s[0] <= doneAtMs).mapToLong(s -> s[1]).sorted().toArray();
    return window.length == 0 ? 0 : window[window.length / 2];
  }

  /** CPU of every instance from RUNNING to done: the catch-up's own cost, without JVM start and join. */
  long catchUpCpuMillis() {
    return cpuMillis - cpuAtRunningMillis;
  }

  /**
   * One consumer group (and one set of internal topics) per app, instance count and round, so each
   * starts from offset 0.
   */
  static String applicationId(StreamsBenchConfig.App app, int instances, int round) {
    String id = app.isFloor() ? APPLICATION_ID + "-" + app.label : APPLICATION_ID;
    id = instances == 1 ? id : id + "-x" + instances;
    return round == 1 ? id : id + "-r" + round;
  }

  /**
   * Launches {@code instances} JVMs of {@code app} as one group on {@code infra}, samples them every
   * {@value #TICK_MS} ms until their committed offsets reach {@code ends} and (the streams app) {@code
   * /api/stats} counts every record, checks the counts and every band's total, then stops them.
   */
  static CatchUp measure(
      StreamsBenchConfig config,
      StreamsBenchConfig.App app,
      int instances,
      int round,
      Infra infra,
      Admin admin,
      Map<TopicPartition, Long> ends,
      StreamsVoteMix.Counts counts,
      PrintStream out)
      throws Exception {
    Path dir = Files.createTempDirectory("quetzal-bench-streams-");
    String groupId = applicationId(app, instances, round);
    // The caller's environment goes through, so a tuning variable reaches the app as on a real start;
    // the bench's own settings do not (the app refuses CATALOG_FILE: its contest is in contest.catalog).
    Map<String, String> base = new HashMap<>(System.getenv());
    base.keySet().removeIf(name -> name.equals("CATALOG_FILE") || name.startsWith("BENCH_") || name.equals("QUETZAL_COMMIT"));
    List<ChildJvm> children = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    if (config.profileDir() != null) {
      Files.createDirectories(config.profileDir());
    }
    for (int i = 0; i < instances; i++) {
      int port = Ports.freePort();
      Map<String, String> env = Service.STREAMS_APP.env(infra, base);
      env.put("APPLICATION_ID", groupId);
      env.put("HTTP_PORT", Integer.toString(port));
      env.put("STATE_DIR", dir.resolve("state-" + i).toString());
      Path log = dir.resolve("streams-app-" + i + ".log");
      List<String> jvm = new ArrayList<>(config.streamsJvmOptions());
      if (config.profileDir() != null) {
        jvm.add("-XX:StartFlightRecording=filename=" + profileOf(config, groupId, i) + ",settings=profile");
      }
      // The floors live in this module, next to the bench; its classpath holds Kafka Streams too.
      children.add(new ChildJvm(new ChildJvm.Spec(app.label + "-" + i,
          app.isFloor() ? List.of(StreamsFloor.class.getName(), app.floor.argument()) : List.of(Service.STREAMS_APP.mainClass()),
          app.isFloor() ? System.getProperty("java.class.path") : config.streamsClasspath(),
          jvm, env, log, URI.create("http://localhost:" + port + "/readyz"),
          Duration.ofSeconds(config.timeoutSeconds()))));
      ports.add(port);
    }
    Path log = dir.resolve("streams-app-0.log");
    out.printf("  %s x%d: %s (logs %s)%n", app.label, instances, String.join(" ", config.streamsJvmOptions()), dir);

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI stats = URI.create("http://localhost:" + ports.get(0) + "/api/stats");
    long end = ends.values().stream().mapToLong(Long::longValue).sum();

    List<long[]> rss = new ArrayList<>();
    long[] moments = {-1, -1, -1, 0}; // running, lag zero, done; CPU at running
    AtomicReference<JsonNode> lastStats = new AtomicReference<>();
    double[] maxLoad = {ProcStats.loadAverage1m()};
    CompletableFuture<Void> done = new CompletableFuture<>();
    long launched = System.nanoTime();
    List<Long> pids = new ArrayList<>();
    for (ChildJvm child : children) {
      child.launch();
      pids.add(child.pid());
    }
    long[] lastProgress = {0};
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-sampler"));
    Runnable tick =
        () -> {
          try {
            long t = (System.nanoTime() - launched) / 1_000_000;
            long largest = 0;
            long sum = 0;
            for (int i = 0; i < children.size(); i++) {
              OptionalLong bytes = ProcStats.rssBytes(pids.get(i));
              if (!children.get(i).alive() || bytes.isEmpty()) {
                done.completeExceptionally(new IllegalStateException("a streams app exited; see " + dir));
                return;
              }
              largest = Math.max(largest, bytes.getAsLong());
              sum += bytes.getAsLong();
            }
            synchronized (rss) {
              rss.add(new long[] {t, largest, sum});
            }
            maxLoad[0] = Math.max(maxLoad[0], ProcStats.loadAverage1m());
            if (moments[0] < 0) {
              if (children.stream().allMatch(ChildJvm::ready)) {
                moments[0] = t;
                moments[3] = cpuMillis(pids);
              }
              return;
            }
            long committed = committed(admin, groupId, ends);
            if (moments[1] < 0 && committed >= end) {
              moments[1] = t;
            }
            // A floor counts nothing: its catch-up ends with its committed offsets.
            JsonNode s = app.isFloor() ? null : json(http, stats);
            long counted = s == null ? -1 : s.path("accepted").asLong() + s.path("duplicates").asLong() + s.path("rejected").asLong();
            if (s != null) {
              lastStats.set(s);
            }
            if (t - lastProgress[0] >= 5_000) {
              lastProgress[0] = t;
              out.printf(
                  "    %5.1f s: committed %,d of %,d, tallied %s, RSS %,d MiB%n",
                  t / 1e3, committed, end, s == null ? "-" : String.format("%,d", counted), sum >> 20);
            }
            if (moments[1] >= 0 && (app.isFloor() || counted >= counts.total())) {
              moments[2] = t;
              done.complete(null);
            }
          } catch (RuntimeException e) {
            // One failed probe (the app still binding its port, say) is retried on the next tick.
          }
        };
    sampler.scheduleWithFixedDelay(tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    boolean complete = false;
    try {
      done.get(config.timeoutSeconds(), TimeUnit.SECONDS);
      complete = true;
    } catch (TimeoutException e) {
      out.printf("  streams app did not catch up within %d s%n", config.timeoutSeconds());
    } catch (ExecutionException e) {
      out.println("  " + e.getCause().getMessage());
    } finally {
      sampler.shutdownNow();
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    }
    long cpu = cpuMillis(pids);
    JsonNode finalStats = lastStats.get();
    try {
      if (complete && !app.isFloor()) {
        verify(finalStats, counts);
        verifyBands(json(http, URI.create("http://localhost:" + ports.get(0) + "/api/standings")), counts);
        out.printf("  exact: stats and all %d band totals%n", counts.validByBand().size());
      }
    } finally {
      for (ChildJvm child : children) {
        child.close(); // SIGTERM: the app's shutdown hook closes Kafka Streams cleanly
      }
      for (int i = 0; i < instances; i++) {
        ScratchDir.deleteRecursively(dir.resolve("state-" + i));
      }
    }
    // The JVM writes its recording as it exits, which close() waited for.
    if (config.profileDir() != null && Files.exists(profileOf(config, groupId, 0))) {
      out.print(StreamThreadProfile.report(profileOf(config, groupId, 0)));
    }
    return new CatchUp(
        complete, instances, moments[0], moments[1], moments[2], List.copyOf(rss), cpu, moments[3], finalStats, maxLoad[0], log);
  }

  private static Path profileOf(StreamsBenchConfig config, String groupId, int instance) {
    return config.profileDir().resolve(groupId + "-" + instance + ".jfr");
  }

  private static long cpuMillis(List<Long> pids) {
    return pids.stream().mapToLong(pid -> ProcStats.cpuMillis(pid).orElse(0)).sum();
  }

  /** Every band's total, answered by one instance for all of them, equals what was written. */
  private static void verifyBands(JsonNode standings, StreamsVoteMix.Counts counts) {
    Map<String, Long> tallied = new HashMap<>();
    if (standings != null) {
      standings.path("standings").forEach(b -> {
        if (b.path("total").asLong() != 0) {
          tallied.put(b.path("band").asText(), b.path("total").asLong());
        }
      });
    }
    if (!tallied.equals(counts.validByBand())) {
      throw new IllegalStateException("band totals differ from what was written: " + tallied + " vs " + counts.validByBand());
    }
  }

  /** The app must have counted exactly what was written, not merely as many records. */
  private static void verify(JsonNode stats, StreamsVoteMix.Counts counts) {
    long accepted = stats.path("accepted").asLong();
    long duplicates = stats.path("duplicates").asLong();
    long rejected = stats.path("rejected").asLong();
    if (accepted != counts.valid() || duplicates != counts.duplicates() || rejected != counts.invalid()) {
      throw new IllegalStateException(
          "tallies differ from what was written: " + stats + " vs " + counts);
    }
  }

  private static long committed(Admin admin, String groupId, Map<TopicPartition, Long> ends) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(2, TimeUnit.SECONDS);
      long sum = 0;
      for (TopicPartition tp : ends.keySet()) {
        OffsetAndMetadata o = offsets.get(tp);
        sum += o == null ? 0 : o.offset();
      }
      return sum;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpClient http, URI uri) {
    try {
      HttpResponse<String> response =
          http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Json.MAPPER.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
