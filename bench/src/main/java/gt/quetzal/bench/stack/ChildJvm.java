package gt.quetzal.bench.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Java main in its own JVM: a service that can be killed the way a crash kills it (SIGKILL, no
 * shutdown hook, no commit, no leaving the consumer group), or whose memory and CPU are its own. Every
 * start appends to the same log file.
 */
public final class ChildJvm implements AutoCloseable {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).version(HttpClient.Version.HTTP_1_1).build();

  /**
   * What to run and how to tell it is ready.
   *
   * @param main the main class, then its arguments
   * @param env the child's whole environment (nothing is inherited, so a stray variable cannot change it)
   * @param readyz answers 200 once the service works
   */
  public record Spec(
      String name, List<String> main, String classpath, List<String> jvmOptions, Map<String, String> env, Path log,
      URI readyz, Duration readyTimeout) {
    public Spec {
      main = List.copyOf(main);
      jvmOptions = List.copyOf(jvmOptions);
      env = Map.copyOf(env);
    }
  }

  private final Spec spec;
  private Process process;

  public ChildJvm(Spec spec) {
    this.spec = spec;
  }

  /** Starts the JVM and returns once {@code readyz} answers 200. */
  public synchronized void start() {
    Process started = launch();
    Probe.await(spec.name() + " ready at " + spec.readyz() + " (log " + spec.log() + ")", spec.readyTimeout(),
        Duration.ofMillis(250), this::ready, () -> !started.isAlive());
  }

  /** Starts the JVM and returns at once. */
  public synchronized Process launch() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(spec.jvmOptions());
    command.addAll(List.of("-cp", spec.classpath()));
    command.addAll(spec.main());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.log().toFile()));
    builder.environment().clear();
    builder.environment().putAll(spec.env());
    try {
      Files.createDirectories(spec.log().getParent());
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + spec.name(), e);
    }
    return process;
  }

  /** Whether {@code readyz} answers 200 now. */
  public boolean ready() {
    try {
      HttpResponse<Void> response = HTTP.send(
          HttpRequest.newBuilder(spec.readyz()).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public synchronized long pid() {
    return process.pid();
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL, then waits for the exit; returns the exit code (137 for a kill). */
  public synchronized int killHard() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(spec.name() + " (pid " + process.pid() + ") survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing " + spec.name(), e);
    }
    return process.exitValue();
  }

  public Path log() {
    return spec.log();
  }

  /** SIGTERM (the service's shutdown hook closes it cleanly), SIGKILL if it is still there after 20 s. */
  @Override
  public synchronized void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
