package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The web's Redis client takes TLS from the URL: there is no TLS-enabled Redis here, so a bare socket
 * records the first byte the client sends — 0x16 opens a TLS handshake, '*' a plain RESP command.
 */
class WebMainTest {

  private static int firstByteSentBy(String scheme) throws Exception {
    try (ServerSocket server = new ServerSocket(0)) {
      server.setSoTimeout(10_000);
      CompletableFuture<Integer> first =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = server.accept()) {
                  socket.setSoTimeout(10_000);
                  return socket.getInputStream().read();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      try (RedisClient redis = WebMain.redisClient(URI.create(scheme + "://web:pw@localhost:" + server.getLocalPort()))) {
        // Nobody answers properly, so the ping fails; only what was sent matters.
        assertThatThrownBy(redis::ping).isInstanceOf(RuntimeException.class);
      }
      return first.get(15, TimeUnit.SECONDS);
    }
  }

  @Test
  void redissOpensWithATlsHandshake() throws Exception {
    assertThat(firstByteSentBy("rediss")).isEqualTo(0x16);
  }

  @Test
  void redisSpeaksPlainResp() throws Exception {
    assertThat(firstByteSentBy("redis")).isEqualTo('*');
  }
}
