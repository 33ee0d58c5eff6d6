package gt.quetzal.bench.streams;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.ContestApply;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.Topics;
import gt.quetzal.devstack.Devstack;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./quetzal bench streams}: how fast the streams app (exactly-once) catches up on a full
 * {@code votes.raw}, against Kafka's ConsumerPerformance reading the same records in the same run.
 *
 * <ol>
 *   <li>A throw-away devstack broker; {@code votes.raw} filled with {@link StreamsVoteMix} by a plain
 *       producer (acks=1, big batches) before anything reads it.
 *   <li>ConsumerPerformance reads all of it (its own JVM).
 *   <li>The streams app starts in its own JVM, with the launcher's JVM options, so its RSS is its own.
 *       Catch-up ends when its committed offsets on {@code votes.raw} reach the end and {@code
 *       /api/stats} counts every record (accepted + duplicates + rejected). The clock starts when
 *       it reports RUNNING (group joined), like ConsumerPerformance's fetch rate; the time from
 *       launch is reported too.
 * </ol>
 *
 * <p>{@code BENCH_STREAMS_APP=floor-copy|floor-dedup} runs a {@link StreamsFloor} in step 3 instead:
 * the same configuration with the least work, as a reference for the ratio.
 */
public final class StreamsBench {

  static final String APPLICATION_ID = "quetzal-streams-bench";
  private static final long TICK_MS = 250;

  private StreamsBench() {}

  public static void main(String[] args) throws Exception {
    StreamsBenchConfig config = StreamsBenchConfig.fromEnv(System.getenv());
    PrintStream out = System.out;
    int exit;
    try (Devstack stack = Devstack.startEphemeral()) {
      exit = run(config, stack.bootstrapServers(), out);
    }
    System.exit(exit);
  }

  static int run(StreamsBenchConfig config, String bootstrap, PrintStream out) throws Exception {
    String topic = Topics.VOTES_RAW.name();
    double loadAtStart = ProcStats.loadAverage1m();
    out.printf("bench streams: %,d votes into %s on %s (load average %.2f)%n", config.votes(), topic, bootstrap, loadAtStart);

    // 1. Fill.
    Catalog catalog = Catalog.load(config.catalogFile());
    // The app matches votes against the contest in contest.catalog, as on a real stack.
    Map<String, Object> client = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    ContestApply.write(client, ContestApply.plan(ContestApply.read(client, Duration.ofSeconds(30)), catalog));
    long span = StreamsVoteMix.spanMillis(config.votes(), config.eventRate());
    long first = System.currentTimeMillis() - span - 5_000;
    StreamsVoteMix mix = new StreamsVoteMix(catalog, config.votes(), config.seed(), first, config.eventRate());
    long fillStart = System.nanoTime();
    StreamsVoteMix.Counts counts = fill(bootstrap, topic, mix);
    double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
    out.printf(
        "  filled in %.1f s (%,.0f rec/s): %,d valid, %,d duplicates, %,d invalid%n",
        fillSeconds, counts.total() / fillSeconds, counts.valid(), counts.duplicates(), counts.invalid());

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<TopicPartition, Long> ends = endOffsets(admin, topic);
      long end = ends.values().stream().mapToLong(Long::longValue).sum();
      if (end != counts.total()) {
        throw new IllegalStateException(topic + " holds " + end + " records, expected " + counts.total());
      }

      // 2. The yardstick.
      out.println("  ConsumerPerformance…");
      ConsumerBaseline.Summary baseline =
          ConsumerBaseline.run(ConsumerBaseline.command(bootstrap, topic, counts.total()));
      out.printf(
          "  ConsumerPerformance: %,d records, %,.0f rec/s overall, %,.0f rec/s fetching (join %d ms)%n",
          baseline.records(), baseline.recordsPerSec(), baseline.fetchRecordsPerSec(), baseline.rebalanceMs());

      // 3. The streams app (or a floor, or each in turn), on the same records.
      StringBuilder report = new StringBuilder();
      List<Result> results = new ArrayList<>();
      for (StreamsBenchConfig.App app : config.apps()) {
        CatchUp catchUp = catchUp(config, app, bootstrap, admin, ends, counts, out);
        Result result = new Result(config, app, counts, fillSeconds, baseline, catchUp, loadAtStart);
        results.add(result);
        String markdown = result.markdown();
        out.println();
        out.println(markdown);
        report.append(markdown).append('\n');
      }
      if (results.size() > 1) {
        String summary = Result.summary(results);
        out.println(summary);
        report.append(summary);
      }
      if (config.output() != null) {
        Files.writeString(config.output(), report);
        out.println("bench streams: written to " + config.output());
      }
      return results.stream().allMatch(r -> r.catchUp().complete()) ? 0 : 1;
    }
  }

  private static StreamsVoteMix.Counts fill(String bootstrap, String topic, StreamsVoteMix mix) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false); // idempotence needs acks=all
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> firstError = new AtomicReference<>();
    StreamsVoteMix.Counts counts;
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      counts =
          mix.forEach(
              vote ->
                  producer.send(
                      new ProducerRecord<>(topic, null, vote.timestamp(), vote.key(), vote.value()),
                      (metadata, error) -> {
                        if (error != null) {
                          failed.incrementAndGet();
                          firstError.compareAndSet(null, error);
                        }
                      }));
      producer.flush();
    }
    // Fire-and-forget failures are silent (a timestamp out of bounds, say); a short topic would
    // make the catch-up look faster than it is.
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " votes were not written", firstError.get());
    }
    return counts;
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** RSS samples and the moments of a catch-up, in ms since the app's launch. */
  record CatchUp(
      boolean complete,
      long runningAtMs,
      long lagZeroAtMs,
      long doneAtMs,
      List<long[]> rss,
      long cpuMillis,
      JsonNode stats,
      double maxLoad,
      Path log) {

    long catchUpMs() {
      return doneAtMs - runningAtMs;
    }

    long peakRss() {
      return rss.stream().mapToLong(s -> s[1]).max().orElse(0);
    }

    /** Median RSS over the second half of the catch-up: the working set once warmed up. */
    long steadyRss() {
      long from = runningAtMs + catchUpMs() / 2;
      long[] window =
          rss.stream().filter(s -> s[0] >= from && s[0] <= doneAtMs).mapToLong(s -> s[1]).sorted().toArray();
      return window.length == 0 ? 0 : window[window.length / 2];
    }
  }

  private static CatchUp catchUp(
      StreamsBenchConfig config,
      StreamsBenchConfig.App app,
      String bootstrap,
      Admin admin,
      Map<TopicPartition, Long> ends,
      StreamsVoteMix.Counts counts,
      PrintStream out)
      throws Exception {
    Path dir = Files.createTempDirectory("quetzal-bench-streams-");
    Path stateDir = dir.resolve("state");
    Path log = dir.resolve("streams-app.log");
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(config.streamsJvmOptions());
    if (app.isFloor()) {
      // The floors live in this module, next to the bench; its classpath holds Kafka Streams too.
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              StreamsFloor.class.getName(),
              app.floor.argument()));
    } else {
      command.addAll(List.of("-cp", config.streamsClasspath(), "gt.quetzal.streams.runtime.StreamsMain"));
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    builder.environment().put("APPLICATION_ID", applicationId(app));
    builder.environment().put("HTTP_PORT", Integer.toString(port));
    builder.environment().put("STATE_DIR", stateDir.toString());
    out.printf(
        "  %s: %s (log %s)%n", app.label, String.join(" ", config.streamsJvmOptions()), log);

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI readyz = URI.create("http://localhost:" + port + "/readyz");
    URI stats = URI.create("http://localhost:" + port + "/api/stats");
    long end = ends.values().stream().mapToLong(Long::longValue).sum();

    List<long[]> rss = new ArrayList<>();
    long[] moments = {-1, -1, -1}; // running, lag zero, done
    AtomicReference<JsonNode> lastStats = new AtomicReference<>();
    double[] maxLoad = {ProcStats.loadAverage1m()};
    CompletableFuture<Void> done = new CompletableFuture<>();
    long launched = System.nanoTime();
    Process process = builder.start();
    long pid = process.pid();
    long[] lastProgress = {0};
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-sampler"));
    Runnable tick =
        () -> {
          try {
            long t = (System.nanoTime() - launched) / 1_000_000;
            OptionalLong bytes = ProcStats.rssBytes(pid);
            if (!process.isAlive() || bytes.isEmpty()) {
              done.completeExceptionally(new IllegalStateException("the streams app exited; see " + log));
              return;
            }
            synchronized (rss) {
              rss.add(new long[] {t, bytes.getAsLong()});
            }
            maxLoad[0] = Math.max(maxLoad[0], ProcStats.loadAverage1m());
            if (moments[0] < 0) {
              if (status(http, readyz) == 200) {
                moments[0] = t;
              }
              return;
            }
            long committed = committed(admin, applicationId(app), ends);
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
                  t / 1e3, committed, end, s == null ? "-" : String.format("%,d", counted), bytes.getAsLong() >> 20);
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
    } catch (java.util.concurrent.ExecutionException e) {
      out.println("  " + e.getCause().getMessage());
    } finally {
      sampler.shutdownNow();
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    }
    long cpu = ProcStats.cpuMillis(pid).orElse(-1);
    process.destroy(); // SIGTERM: the app's shutdown hook closes Kafka Streams cleanly
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    deleteRecursively(stateDir);
    JsonNode finalStats = lastStats.get();
    if (complete && !app.isFloor()) {
      verify(finalStats, counts);
    }
    return new CatchUp(
        complete, moments[0], moments[1], moments[2], List.copyOf(rss), cpu, finalStats, maxLoad[0], log);
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

  /** One consumer group (and one set of internal topics) per app, so each starts from offset 0. */
  static String applicationId(StreamsBenchConfig.App app) {
    return app.isFloor() ? APPLICATION_ID + "-" + app.label : APPLICATION_ID;
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

  private static int status(HttpClient http, URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Left in the temp dir; not worth failing the run for.
    }
  }

  /** Everything measured, and its markdown. */
  record Result(
      StreamsBenchConfig config,
      StreamsBenchConfig.App app,
      StreamsVoteMix.Counts counts,
      double fillSeconds,
      ConsumerBaseline.Summary baseline,
      CatchUp catchUp,
      double loadAtStart) {

    double catchUpRate() {
      return counts.total() * 1000.0 / catchUp.catchUpMs();
    }

    String markdown() {
      StringBuilder md = new StringBuilder();
      md.append(String.format("Run %s, %s, %,d votes (%,d valid, %,d duplicates, %,d invalid), filled at %,.0f rec/s%n%n",
          Instant.now(), app.label, counts.total(), counts.valid(), counts.duplicates(), counts.invalid(),
          counts.total() / fillSeconds));
      md.append("| measure | value |\n|---|---|\n");
      md.append(row("ConsumerPerformance, overall (join included)", "%,.0f rec/s", baseline.recordsPerSec()));
      md.append(row("ConsumerPerformance, fetching (join excluded)", "%,.0f rec/s", baseline.fetchRecordsPerSec()));
      if (!catchUp.complete()) {
        md.append("| streams app catch-up | **did not complete** (see ").append(catchUp.log()).append(") |\n");
        return md.toString();
      }
      double ratio = catchUpRate() / baseline.fetchRecordsPerSec();
      md.append(row("streams app: launch → RUNNING", "%.1f s", catchUp.runningAtMs() / 1e3));
      md.append(row("streams app: RUNNING → committed offsets at the end", "%.1f s", (catchUp.lagZeroAtMs() - catchUp.runningAtMs()) / 1e3));
      md.append(row("streams app: RUNNING → every record in /api/stats (catch-up)", "%.1f s", catchUp.catchUpMs() / 1e3));
      md.append(row("**catch-up rate** (exactly_once_v2)", "**%,.0f rec/s**", catchUpRate()));
      md.append(row("catch-up rate from launch (JVM start and join included)", "%,.0f rec/s", counts.total() * 1000.0 / catchUp.doneAtMs()));
      String verdict = app.isFloor() ? "(a floor: the reference, not the target)" : ratio >= 0.10 ? "(met)" : "(missed)";
      md.append(row("**ratio** to ConsumerPerformance fetching (target ≥ 10 %)", "**%.1f %%** " + verdict, ratio * 100));
      md.append(row("ratio to ConsumerPerformance overall", "%.1f %%", catchUpRate() / baseline.recordsPerSec() * 100));
      md.append(row("streams app peak RSS", "%,d MiB", catchUp.peakRss() >> 20));
      md.append(row("streams app steady RSS (median, 2nd half of catch-up)", "%,d MiB", catchUp.steadyRss() >> 20));
      md.append(row("streams app CPU time", "%.1f s (%.1f cores while catching up, launch included)",
          catchUp.cpuMillis() / 1e3, catchUp.cpuMillis() / (double) catchUp.doneAtMs()));
      md.append(row("load average (1 min) at start / highest sampled", "%.2f / %.2f", loadAtStart, catchUp.maxLoad()));
      md.append(
          app.isFloor()
              ? row("final /api/stats", "%s", "none (a floor counts nothing; catch-up ends on committed offsets)")
              : row("final /api/stats", "%s", catchUp.stats().toString().replace("|", "\\|")));
      return md.toString();
    }

    /** One line per app of a multi-app run: the same records, the same ConsumerPerformance figure. */
    static String summary(List<Result> results) {
      StringBuilder md = new StringBuilder("| app | catch-up rate | ratio to ConsumerPerformance fetching | app CPU | peak RSS |\n");
      md.append("|---|---:|---:|---:|---:|\n");
      for (Result r : results) {
        if (!r.catchUp().complete()) {
          md.append("| ").append(r.app().label).append(" | did not complete | | | |\n");
          continue;
        }
        md.append(String.format("| %s | %,.0f rec/s | %.1f %% | %.1f s | %,d MiB |%n",
            r.app().label, r.catchUpRate(), r.catchUpRate() / r.baseline().fetchRecordsPerSec() * 100,
            r.catchUp().cpuMillis() / 1e3, r.catchUp().peakRss() >> 20));
      }
      return md.toString();
    }

    private static String row(String name, String format, Object... args) {
      return "| " + name + " | " + String.format(format, args) + " |\n";
    }
  }
}
