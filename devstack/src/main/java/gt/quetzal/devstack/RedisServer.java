package gt.quetzal.devstack;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} as a child process on 127.0.0.1: the system binary when {@code redis-server}
 * is on PATH, otherwise the binary shipped inside {@code com.github.codemonstur:embedded-redis}.
 */
public final class RedisServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
  private static final String BINARY = "redis-server";
  private static final String READY_LINE = "Ready to accept connections";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final int TAIL_LINES = 20;
  private static Path shipped;

  private final Process process;
  private final int port;
  private final Path executable;
  private final boolean systemBinary;
  private final Thread exitHook;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private RedisServer(Process process, int port, Path executable, boolean systemBinary, Thread exitHook) {
    this.process = process;
    this.port = port;
    this.executable = executable;
    this.systemBinary = systemBinary;
    this.exitHook = exitHook;
  }

  /**
   * Starts Redis and returns once it answered PING.
   *
   * @param port 0 for a free one
   * @param persistent append-only file in {@code dataDir} and output to {@code dataDir/redis.log};
   *     otherwise no persistence at all and the output is discarded
   */
  public static RedisServer start(int port, Path dataDir, boolean persistent) {
    // Redis cannot report a port it picked: one is chosen first, so the bind may lose it (Ports.bindRetrying).
    return Ports.bindRetrying(port, asked -> startOn(Ports.orFree(asked), dataDir, persistent));
  }

  static RedisServer startOn(int bound, Path dataDir, boolean persistent) {
    Path dir = dataDir.toAbsolutePath();
    Optional<Path> onPath = findOnPath(System.getenv("PATH"));
    Path executable = onPath.orElseGet(RedisServer::shippedBinary);
    List<String> command = new ArrayList<>(List.of(
        executable.toString(),
        "--port", String.valueOf(bound),
        "--bind", "127.0.0.1",
        "--dir", dir.toString(),
        "--daemonize", "no"));
    if (persistent) {
      command.addAll(List.of("--appendonly", "yes"));
    } else {
      command.addAll(List.of("--save", "", "--appendonly", "no"));
    }

    Writer logFile;
    Process process;
    try {
      Files.createDirectories(dir);
      logFile = persistent
          ? Files.newBufferedWriter(dir.resolve("redis.log"), StandardCharsets.UTF_8,
              StandardOpenOption.CREATE, StandardOpenOption.APPEND)
          : Writer.nullWriter();
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + executable, e);
    }
    // Registered at once so the child never outlives the JVM, even if the readiness wait fails.
    Thread hook = new Thread(() -> stop(process), "redis-" + bound + "-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    RedisServer server = new RedisServer(process, bound, executable, onPath.isPresent(), hook);
    try {
      server.awaitReady(pumpOutput(process, logFile, bound));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    log.info("Redis ready on 127.0.0.1:{} ({} binary {}, {})", bound, onPath.isPresent() ? "system" : "embedded",
        executable, persistent ? "append-only file in " + dir : "no persistence");
    return server;
  }

  /** The first executable {@code redis-server} among the directories of a PATH-style string. */
  static Optional<Path> findOnPath(String pathVariable) {
    if (pathVariable == null || pathVariable.isBlank()) {
      return Optional.empty();
    }
    for (String entry : pathVariable.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path candidate = Path.of(entry).resolve(BINARY);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Extracted once per JVM (the library deletes it on exit): ITs may start many stacks. */
  private static synchronized Path shippedBinary() {
    if (shipped == null) {
      try {
        shipped = ExecutableProvider.newJarResourceProvider().get().toPath();
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("no redis-server on PATH and the embedded-redis binary is unusable: " + e, e);
      }
    }
    return shipped;
  }

  /**
   * Copies the child's output to {@code sink} on a daemon thread (so the pipe never fills) and completes
   * the returned future when Redis reports it accepts connections, or fails it with the last lines if it
   * exits first.
   */
  private static CompletableFuture<Void> pumpOutput(Process process, Writer sink, int port) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      Deque<String> tail = new ArrayDeque<>();
      try (BufferedReader reader =
              new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
          Writer out = sink) {
        String line;
        while ((line = reader.readLine()) != null) {
          out.write(line);
          out.write(System.lineSeparator());
          out.flush();
          if (!ready.isDone()) {
            if (tail.size() == TAIL_LINES) {
              tail.removeFirst();
            }
            tail.addLast(line);
            if (line.contains(READY_LINE)) {
              ready.complete(null);
            }
          }
        }
      } catch (IOException e) {
        log.debug("redis output pump on port {} ended: {}", port, e.toString());
      }
      if (!ready.isDone()) {
        ready.completeExceptionally(new IllegalStateException(
            "redis-server exited before it was ready; its last output:\n  " + String.join("\n  ", tail)));
      }
    }, "redis-" + port + "-output");
    pump.setDaemon(true);
    pump.start();
    return ready;
  }

  private void awaitReady(CompletableFuture<Void> ready) {
    try {
      ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Redis on port " + port + " did not start: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Redis on port " + port + " was not ready within " + READY_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Redis", e);
    }
    try (Jedis jedis = new Jedis("127.0.0.1", port)) {
      String pong = jedis.ping();
      if (!"PONG".equals(pong)) {
        throw new IllegalStateException("Redis on port " + port + " answered PING with " + pong);
      }
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://localhost:PORT}. */
  public String url() {
    return "redis://localhost:" + port;
  }

  public Path executable() {
    return executable;
  }

  /** True when the system's {@code redis-server} from PATH runs, false for the embedded-redis binary. */
  public boolean isSystemBinary() {
    return systemBinary;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM (Redis then finishes its append-only file), SIGKILL if it has not exited within 5 s. Idempotent. */
  @Override
  public void close() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    stop(process);
    removeExitHook();
    log.info("Redis on port {} stopped", port);
  }

  /** Kills the process with SIGKILL: no final fsync, no RDB save; for fault tests. Idempotent. */
  public void halt() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    process.destroyForcibly();
    waitForExit(process, STOP_TIMEOUT);
    removeExitHook();
  }

  private void removeExitHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook is running or has run.
    }
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!waitForExit(process, STOP_TIMEOUT)) {
      log.warn("redis-server (pid {}) ignored SIGTERM for {}; killing it", process.pid(), STOP_TIMEOUT);
      process.destroyForcibly();
      waitForExit(process, STOP_TIMEOUT);
    }
  }

  private static boolean waitForExit(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
