package gt.quetzal.load.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LivePipelineTest {

  @Test
  void theStreamsAppsStatsBecomeTheSameKeysAsTheRedisHash() {
    String body =
        "{\"accepted\":10,\"duplicates\":2,\"rejected\":3,\"rejectedByReason\":{\"unknown_band\":2,\"late\":1}}";

    assertThat(LivePipeline.flattenStats(body))
        .containsEntry("accepted", 10L)
        .containsEntry("duplicates", 2L)
        .containsEntry("rejected", 3L)
        .containsEntry("rejected.unknown_band", 2L)
        .containsEntry("rejected.late", 1L)
        .hasSize(5);
    assertThatThrownBy(() -> LivePipeline.flattenStats("<html>"))
        .isInstanceOf(Pipeline.PipelineException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void theRunPrefixMatchesOnlyThatRunsVoteIds() {
    Pattern prefix = Pattern.compile(LivePipeline.prefixPattern("q2611.26-ab:1"));

    assertThat(prefix.matcher("q2611.26-ab:1.http.0.t1-000001").lookingAt()).isTrue();
    assertThat(prefix.matcher("q2611x26-ab:1.http.0.t1").lookingAt()).as("a dot is not a wildcard").isFalse();
    assertThat(prefix.matcher("q2611.26-ab:10.http.0.t1").lookingAt()).as("a longer run id").isFalse();
    assertThat(prefix.matcher("xq2611.26-ab:1.http").lookingAt()).isFalse();
  }

  @Test
  void aStoreThatDoesNotAnswerIsNamedWithoutItsPassword() throws Exception {
    HttpServer streams = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    streams.createContext("/api/stats", exchange -> {
      byte[] body = "{\"accepted\":1,\"duplicates\":0,\"rejected\":0}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    streams.start();
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort(); // nothing listens there once closed: the store "does not answer"
    }
    try (LivePipeline pipeline = LivePipeline.connect(
        URI.create("http://127.0.0.1:" + streams.getAddress().getPort()),
        URI.create("redis://:s3cret-redis@127.0.0.1:" + closed), "mongodb://quetzal:s3cret-mongo@127.0.0.1:" + closed)) {
      assertThatThrownBy(pipeline::state)
          .isInstanceOf(Pipeline.PipelineException.class)
          .hasMessageContaining("Redis at redis://***@127.0.0.1:" + closed + " did not answer")
          .hasMessageNotContaining("s3cret");
    } finally {
      streams.stop(0);
    }
  }
}
