package gt.quetzal.sinks;

import gt.quetzal.devstack.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.RedisClient;

/**
 * A real redis-server (the devstack's, no persistence) for one IT class, emptied before each test:
 * {@code @RegisterExtension static final RealRedis REDIS = new RealRedis();}. Its client is ready in the
 * class's own {@code @BeforeAll} and {@code @BeforeEach} methods.
 */
final class RealRedis implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

  private Path dir;
  private RedisServer server;
  private RedisClient client;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("quetzal-redis-it");
    server = RedisServer.start(0, dir, false);
    client = RedisClient.create(URI.create(server.url()));
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    client.flushAll();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    if (dir != null) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  RedisClient client() {
    return client;
  }
}
