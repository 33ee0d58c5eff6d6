package gt.quetzal.bench.up;

import com.fasterxml.jackson.databind.node.ObjectNode;
import gt.quetzal.bench.BenchEnv;
import gt.quetzal.bench.ProcStats;
import gt.quetzal.bench.results.BenchResults;
import gt.quetzal.bench.results.ResultsDir;
import gt.quetzal.bench.stack.Probe;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.kit.EnvReader;
import gt.quetzal.load.VoteSampler;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./quetzal bench up}: the local stack as {@code ./quetzal up} starts it (its own ports: stop your
 * own stack first), on a scratch home. Records the launcher's {@code ready in} figure and the stack's RSS
 * (every process under the launcher: its JVMs and redis-server) at ready, then drives {@code
 * BENCH_UP_RATE} votes/s (default 5,000) into {@code POST /votes/batch} for {@code BENCH_UP_SECONDS}
 * (30) and samples the RSS every second; writes {@code stack.json}, with how many JVMs started from a
 * class-data archive (the launcher makes them before this bench runs). Speed is reported, never asserted.
 */
public final class UpBench {

  private static final Pattern READY = Pattern.compile("ready in ([0-9.]+) s(?:, ([0-9]+) MiB RSS)?");
  /** The launcher's count of JVMs that started from a class-data archive (the build makes them). */
  private static final Pattern MAPPED = Pattern.compile("([0-9]+) of ([0-9]+) JVMs mapped a class-data archive");
  private static final int VOTES_PER_BATCH = 100;

  private UpBench() {}

  public static void main(String[] args) throws Exception {
    EnvReader env = new EnvReader(System.getenv());
    int rate = env.integer("BENCH_UP_RATE", 5_000, VOTES_PER_BATCH, 100_000);
    int seconds = env.integer("BENCH_UP_SECONDS", 30, 5, 3_600);
    String launcher = env.string("BENCH_UP_LAUNCHER", "quetzal");
    String home = env.string("BENCH_UP_HOME", ".quetzal/bench-up");
    int ingestPort = env.integer("BENCH_UP_INGEST_PORT", 8080, 1, 65_535);
    Path catalog = BenchEnv.catalogFile(env, true);
    Path results = ResultsDir.from(env);
    env.validate("bench-up");
    PrintStream out = System.out;
    BenchResults json = new BenchResults("stack", System.getenv());
    Path log = Path.of(home).toAbsolutePath().resolve("launcher.log");
    Files.createDirectories(log.getParent());
    Files.deleteIfExists(log);
    ProcessBuilder builder = new ProcessBuilder("bash", Path.of(launcher).toAbsolutePath().toString(), "up")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("QUETZAL_HOME", Path.of(home).toAbsolutePath().toString());
    builder.environment().remove("CATALOG_FILE");
    out.println("bench up: ./quetzal up on " + home + " (log " + log + ")");
    Process up = builder.start();
    try {
      Probe.await("./quetzal up ready (log " + log + ")", Duration.ofSeconds(180), Duration.ofMillis(200),
          () -> READY.matcher(read(log)).find(), () -> !up.isAlive());
      Matcher ready = READY.matcher(read(log));
      ready.find();
      double readySeconds = Double.parseDouble(ready.group(1));
      Map<String, Long> atReady = rss(up);
      long sum = atReady.values().stream().mapToLong(Long::longValue).sum() >> 20;
      out.printf(Locale.ROOT, "  ready in %.1f s (the launcher's figure); RSS %,d MiB: %s%n", readySeconds, sum, mib(atReady));
      ObjectNode o = json.add("stack", "up");
      BenchResults.putNumber(o, "readySeconds", readySeconds);
      if (ready.group(2) != null) {
        o.put("rssMiB", Long.parseLong(ready.group(2)));
        o.put("rssSource", "the launcher's figure");
        o.put("benchRssMiB", sum);
      } else {
        o.put("rssMiB", sum);
        o.put("rssSource", "summed by the bench over the launcher's processes");
      }
      o.putPOJO("processes", toMib(atReady));
      Matcher mapped = MAPPED.matcher(read(log));
      if (mapped.find()) {
        o.put("cdsMapped", Integer.parseInt(mapped.group(1)));
        o.put("jvms", Integer.parseInt(mapped.group(2)));
        out.printf(Locale.ROOT, "  %s of %s JVMs mapped a class-data archive%n", mapped.group(1), mapped.group(2));
      }

      out.printf(Locale.ROOT, "  %,d votes/s into POST /votes/batch for %d s...%n", rate, seconds);
      Steady steady = drive(up, catalog, ingestPort, rate, seconds, out);
      ObjectNode s = json.add("stack", "steady");
      BenchResults.putNumber(s, "votesPerSec", steady.accepted / (double) seconds);
      s.put("seconds", seconds);
      s.put("failed", steady.failed);
      s.put("rssMiB", steady.peak >> 20);
      s.put("endRssMiB", steady.end.values().stream().mapToLong(Long::longValue).sum() >> 20);
      s.putPOJO("processes", toMib(steady.end));
      out.printf(Locale.ROOT, "  accepted %,d votes (%d failed requests); RSS peak %,d MiB, at the end %s%n",
          steady.accepted, steady.failed, steady.peak >> 20, mib(steady.end));
    } finally {
      up.destroy(); // SIGTERM: the launcher stops its services, then the devstack
      if (!up.waitFor(90, TimeUnit.SECONDS)) {
        up.destroyForcibly();
      }
    }
    json.write(results, out);
    System.exit(0);
  }

  private record Steady(long accepted, long failed, long peak, Map<String, Long> end) {}

  /** Paced batches of {@value #VOTES_PER_BATCH} votes, at most 16 requests in flight; RSS sampled each second. */
  private static Steady drive(Process up, Path catalogFile, int port, int rate, int seconds, PrintStream out) throws Exception {
    VoteSampler sampler = new VoteSampler(Catalog.load(catalogFile), 1.0, new Random(7));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    URI uri = URI.create("http://localhost:" + port + "/votes/batch");
    AtomicLong accepted = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<CompletableFuture<?>> inFlight = new ArrayList<>();
    long batches = (long) rate * seconds / VOTES_PER_BATCH;
    long start = System.nanoTime();
    long nextSample = 0;
    long peak = 0;
    Map<String, Long> last = Map.of();
    for (long b = 0; b < batches; b++) {
      long due = start + b * 1_000_000_000L * VOTES_PER_BATCH / rate;
      while (System.nanoTime() < due) {
        LockSupport.parkNanos(Math.min(1_000_000, due - System.nanoTime()));
      }
      if (System.nanoTime() - start >= nextSample) {
        last = rss(up);
        peak = Math.max(peak, last.values().stream().mapToLong(Long::longValue).sum());
        nextSample += 1_000_000_000L;
      }
      List<Map<String, String>> votes = new ArrayList<>(VOTES_PER_BATCH);
      for (int i = 0; i < VOTES_PER_BATCH; i++) {
        votes.add(sampler.next());
      }
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(votes))).build();
      inFlight.removeIf(CompletableFuture::isDone);
      if (inFlight.size() >= 16) {
        failed.incrementAndGet(); // the stack fell behind the rate: counted, not queued
        continue;
      }
      inFlight.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
        if (error == null && response.statusCode() / 100 == 2) {
          accepted.addAndGet(VOTES_PER_BATCH);
        } else {
          failed.incrementAndGet();
        }
      }));
    }
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    Map<String, Long> end = rss(up);
    return new Steady(accepted.get(), failed.get(), Math.max(peak, end.values().stream().mapToLong(Long::longValue).sum()), end);
  }

  /** RSS in bytes of every java and redis-server process under the launcher, by name. */
  static Map<String, Long> rss(Process launcher) {
    Map<String, Long> byName = new TreeMap<>();
    launcher.toHandle().descendants().forEach(p -> {
      String name = name(cmdline(p.pid()));
      if (name != null) {
        ProcStats.rssBytes(p.pid()).ifPresent(bytes -> byName.merge(name, bytes, Long::sum));
      }
    });
    return byName;
  }

  /**
   * A JVM by its main class's simple name (its last argument), redis-server as itself, anything else
   * (the launcher's tail and grep) {@code null}. From /proc: ProcessHandle.Info often lacks the arguments.
   */
  static String name(List<String> argv) {
    if (argv.isEmpty()) {
      return null;
    }
    String program = argv.get(0).split(" ")[0].replaceAll(".*/", "");
    if (program.equals("redis-server")) {
      return program;
    }
    if (!program.equals("java") || argv.size() < 2) {
      return null;
    }
    String main = argv.get(argv.size() - 1);
    return main.substring(main.lastIndexOf('.') + 1);
  }

  private static List<String> cmdline(long pid) {
    try {
      String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
      return List.of(raw.split("\0"));
    } catch (IOException | RuntimeException e) {
      return List.of(); // gone meanwhile
    }
  }

  private static Map<String, Long> toMib(Map<String, Long> bytes) {
    Map<String, Long> mib = new TreeMap<>();
    bytes.forEach((k, v) -> mib.put(k, v >> 20));
    return mib;
  }

  private static String mib(Map<String, Long> bytes) {
    return toMib(bytes).toString();
  }

  private static String read(Path log) {
    try {
      return Files.isRegularFile(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
