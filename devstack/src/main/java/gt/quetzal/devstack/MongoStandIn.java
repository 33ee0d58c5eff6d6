package gt.quetzal.devstack;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mongo-java-server} in this JVM, speaking the MongoDB wire protocol on 127.0.0.1. It is a stand-in:
 * no real MongoDB server is available locally, and it ignores non-unique secondary indexes.
 */
public final class MongoStandIn implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MongoStandIn.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private final MongoServer server;
  private final int port;
  private final Path file;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private MongoStandIn(MongoServer server, int port, Path file) {
    this.server = server;
    this.port = port;
    this.file = file;
  }

  /** In memory: everything is gone on close. */
  public static MongoStandIn startInMemory(int port) {
    return start(MemoryBackend::new, port, null);
  }

  /** Backed by an H2 file under {@code dataDir}, so a later start on the same directory keeps the documents. */
  public static MongoStandIn startPersistent(int port, Path dataDir) {
    Path dir = dataDir.toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    Path file = dir.resolve("quetzal.mv");
    return start(() -> new H2Backend(file.toString()), port, file);
  }

  /** Port 0 binds at once; a given port (a restart where clients know it) may be held a moment: retried. */
  private static MongoStandIn start(Supplier<MongoBackend> backend, int port, Path file) {
    if (WARNED.compareAndSet(false, true)) {
      log.warn("MongoDB here is a stand-in (mongo-java-server, in process), not a real MongoDB server; "
          + "set MONGO_URI to use a real one");
    }
    return Ports.bindRetrying(port, asked -> bind(backend.get(), asked, file));
  }

  /** A failed bind shuts the server and its backend down: a retry needs a new backend. */
  static MongoStandIn bind(MongoBackend backend, int port, Path file) {
    MongoServer server = new MongoServer(backend);
    try {
      server.bind(new InetSocketAddress(Ports.LOOPBACK, port));
    } catch (RuntimeException e) {
      server.shutdownNow();
      throw new IllegalStateException("cannot bind the MongoDB stand-in to port " + port + ": " + e.getMessage(), e);
    }
    int bound = server.getLocalAddress().getPort();
    log.info("MongoDB stand-in ready on 127.0.0.1:{} ({})", bound, file == null ? "in memory" : "H2 file " + file);
    return new MongoStandIn(server, bound, file);
  }

  public int port() {
    return port;
  }

  /** {@code mongodb://localhost:PORT}. */
  public String uri() {
    return "mongodb://localhost:" + port;
  }

  public boolean isPersistent() {
    return file != null;
  }

  /** Closes client connections and the backend (which flushes and closes the H2 file). Idempotent. */
  @Override
  public void close() {
    if (stopped.compareAndSet(false, true)) {
      server.shutdown();
      log.info("MongoDB stand-in on port {} stopped", port);
    }
  }
}
