package gt.quetzal.bench.fault;

import gt.quetzal.bench.stack.Probe;
import gt.quetzal.contract.Catalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole local stack as {@code ./quetzal up} runs it (its fixed ports, the demo catalog), started as a
 * child process on a scratch {@code QUETZAL_HOME}, for fault 6: stopping it the way Ctrl-C does and starting
 * it again on the same data.
 */
public final class LauncherStack implements FaultStack {

  private static final String READY_LINE = "Quetzal is up.";
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  /** A row of the table the launcher prints once ready: {@code │ label │ port │ url │}. */
  private static final Pattern TABLE_ROW = Pattern.compile("│ (\\S[^│]*?) +│ (\\d+) +│");

  private final Path launcher;
  private final Path home;
  private final Path log;
  private final Catalog catalog;
  private final Duration readyTimeout;
  private Process process;
  private Map<String, Integer> ports = Map.of();

  /**
   * @param launcher the {@code quetzal} script
   * @param home scratch QUETZAL_HOME; a {@code build.stamp} in it is touched before each start so the
   *     launcher does not rebuild mid-run (the caller builds first)
   */
  public LauncherStack(Path launcher, Path home, Path catalogFile, Duration readyTimeout) {
    this.launcher = launcher.toAbsolutePath();
    this.home = home.toAbsolutePath();
    this.log = this.home.resolve("launcher.log");
    this.catalog = Catalog.load(catalogFile);
    this.readyTimeout = readyTimeout;
  }

  /** Runs {@code ./quetzal up} and returns once it printed its table (every service ready). */
  public void start() {
    int readyBefore = readyLines();
    Path stamp = home.resolve("build.stamp");
    try {
      Files.createDirectories(home);
      if (Files.exists(stamp)) {
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now()));
      }
      ProcessBuilder builder = new ProcessBuilder("bash", launcher.toString(), "up")
          .directory(launcher.getParent().toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().put("QUETZAL_HOME", home.toString());
      // The catalog reaches the stack as the launcher applies it; the streams app refuses the variable.
      builder.environment().remove("CATALOG_FILE");
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + launcher, e);
    }
    Process started = process;
    Probe.await("./quetzal up ready (log " + log + ")", readyTimeout, Duration.ofMillis(500),
        () -> readyLines() > readyBefore, () -> !started.isAlive());
    ports = printedPorts();
  }

  /** The ports of the launcher's table (its one place for them), as it printed them on its last start. */
  private Map<String, Integer> printedPorts() {
    try {
      String text = Files.readString(log);
      Matcher row = TABLE_ROW.matcher(text.substring(text.lastIndexOf(READY_LINE)));
      Map<String, Integer> printed = new LinkedHashMap<>();
      while (row.find()) {
        printed.putIfAbsent(row.group(1), Integer.parseInt(row.group(2)));
      }
      return printed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log, e);
    }
  }

  private int port(String label) {
    Integer port = ports.get(label);
    if (port == null) {
      throw new IllegalStateException("./quetzal up printed no port for " + label + " (log " + log + ")");
    }
    return port;
  }

  private int readyLines() {
    if (!Files.exists(log)) {
      return 0;
    }
    try {
      Matcher m = Pattern.compile(Pattern.quote(READY_LINE)).matcher(Files.readString(log));
      int n = 0;
      while (m.find()) {
        n++;
      }
      return n;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The launcher's fixed ports, as it printed them; MONGO_URI when one is set (the table redacts it). */
  @Override
  public Endpoints endpoints() {
    String external = System.getenv("MONGO_URI");
    return new Endpoints(URI.create("http://localhost:" + port("ingest-http")), "localhost", port("ingest-grpc"),
        URI.create("http://localhost:" + port("streams-app")), URI.create("redis://localhost:" + port("redis")),
        external == null || external.isBlank() ? "mongodb://localhost:" + port("mongodb") : external,
        "localhost:" + port("kafka"));
  }

  @Override
  public Set<Fault> supports() {
    return EnumSet.of(Fault.WHOLE_STACK);
  }

  /** The catalog's bands, each with its first album: the launcher's streams app rejects anything else. */
  @Override
  public Map<String, String> bandsFor(String runId) {
    Map<String, String> bands = new LinkedHashMap<>();
    for (Catalog.Band band : catalog.bands()) {
      if (!band.albums().isEmpty()) {
        bands.put(band.name(), band.albums().get(0).title());
      }
    }
    return bands;
  }

  @Override
  public List<String> logLocations() {
    return List.of(log.toString(), home.resolve("logs").toString());
  }

  @Override
  public FaultEvidence inject(Fault fault) {
    if (fault != Fault.WHOLE_STACK) {
      throw new IllegalArgumentException("./quetzal up only takes the whole-stack fault");
    }
    long pid = process.pid();
    long began = System.nanoTime();
    int exit = stop();
    double stopped = (System.nanoTime() - began) / 1e9;
    boolean down = LocalStack.refuses(port("ingest-http")) && LocalStack.refuses(port("ingest-grpc"))
        && LocalStack.refuses(port("kafka"));
    long restart = System.nanoTime();
    start();
    return new FaultEvidence(down && process.pid() != pid, String.format(
        "./quetzal up (pid %d) stopped with SIGTERM in %.1f s (exit %d, ports %s), started again as pid %d,"
            + " ready in %.1f s", pid, stopped, exit, down ? "closed" : "STILL OPEN", process.pid(),
        (System.nanoTime() - restart) / 1e9));
  }

  /** SIGTERM, which the launcher traps like Ctrl-C: services first, then the devstack. */
  private int stop() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("./quetzal up did not stop within " + STOP_TIMEOUT.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping ./quetzal up", e);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      try {
        stop();
      } catch (RuntimeException e) {
        process.destroyForcibly();
      }
    }
  }
}
