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
 * A Quetzal service in its own JVM, so that it can be killed the way a crash kills it: SIGKILL, no
 * shutdown hook, no commit, no leaving the consumer group. Every start appends to the same log file.
 */
final class ChildJvm implements AutoCloseable {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).version(HttpClient.Version.HTTP_1_1).build();

  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private final URI readyz;
  private final Duration readyTimeout;
  private Process process;

  /**
   * @param env the child's whole environment (nothing is inherited, so a stray variable cannot change it)
   * @param readyz answers 200 once the service works
   */
  ChildJvm(
      String name, String mainClass, String classpath, List<String> jvmOptions, Map<String, String> env, Path log,
      URI readyz, Duration readyTimeout) {
    this.name = name;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classpath, mainClass));
    this.command = List.copyOf(cmd);
    this.env = Map.copyOf(env);
    this.log = log;
    this.readyz = readyz;
    this.readyTimeout = readyTimeout;
  }

  /** Starts the JVM and returns once {@code /readyz} answers 200. */
  synchronized void start() {
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().clear();
    builder.environment().putAll(env);
    try {
      Files.createDirectories(log.getParent());
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    Process started = process;
    Probe.await(name + " ready at " + readyz + " (log " + log + ")", readyTimeout, Duration.ofMillis(250),
        this::ready, () -> !started.isAlive());
  }

  private boolean ready() {
    try {
      HttpResponse<Void> response = HTTP.send(
          HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  synchronized long pid() {
    return process.pid();
  }

  /** SIGKILL, then waits for the exit; returns the exit code (137 for a kill). */
  synchronized int killHard() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing " + name, e);
    }
    return process.exitValue();
  }

  Path log() {
    return log;
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
