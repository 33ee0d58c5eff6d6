package gt.quetzal.ingest.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link CorpusRunner#checkSlow} proven able to fail: against control servers that never time a stalled
 * request out the right way (one that never answers, one that answers 200 to anything, one that resets
 * every connection), every case that is owed a 408 is reported; against a server that behaves, none is.
 *
 * <p>The control servers decide that a client has stopped sending after {@link #QUIET} of silence; that
 * only shapes what they answer. The runner's own bound ({@link #LIMIT}) is a bound, never the assertion.
 */
class CorpusRunnerSlowTest {

  private static final Duration QUIET = Duration.ofMillis(200);
  private static final Duration LIMIT = Duration.ofSeconds(3);
  private static final List<String> OWED_408 =
      CorpusRunner.slowCases().stream().filter(CorpusRunner.SlowCase::in408).map(Object::toString).toList();
  private static final List<String> NO_HEAD =
      CorpusRunner.slowCases().stream().filter(c -> !c.in408()).map(Object::toString).toList();

  /** What a control server does with a connection once the client fell silent. */
  private interface Behaviour {
    void afterSilence(Socket socket, String received) throws IOException;
  }

  /** A one-thread-per-connection ServerSocket on port 0 that reads until the client goes quiet. */
  private static final class ControlServer implements AutoCloseable {
    final ServerSocket server;
    final List<Socket> open = new CopyOnWriteArrayList<>();

    ControlServer(Behaviour behaviour) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            open.add(socket);
            Thread connection = new Thread(() -> serve(socket, behaviour), "control-connection");
            connection.setDaemon(true);
            connection.start();
          } catch (IOException closed) {
            return;
          }
        }
      }, "control-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private static void serve(Socket socket, Behaviour behaviour) {
      try {
        socket.setSoTimeout((int) QUIET.toMillis());
        StringBuilder received = new StringBuilder();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
          }
        } catch (SocketTimeoutException quiet) {
          // the client stopped sending
        }
        behaviour.afterSilence(socket, received.toString());
      } catch (IOException e) {
        // the runner went away
      }
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }

  private static List<String> slowAgainst(Behaviour behaviour) throws IOException {
    try (ControlServer server = new ControlServer(behaviour)) {
      return new CorpusRunner().checkSlow("127.0.0.1", server.port(), LIMIT);
    }
  }

  private static void answer(Socket socket, String response) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(response.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    socket.close();
  }

  private static final String PROBLEM_408 = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\n"
      + "Connection: close\r\n\r\n{\"type\":\"https://quetzal.gt/problems/request-timeout\",\"title\":\"t\",\"status\":408}";

  @Test
  void aServerThatTimesStalledRequestsOutProperlyPasses() throws IOException {
    // 408 where the head was complete, a plain close where it was not: what the real app does.
    assertThat(slowAgainst((socket, received) -> {
      if (received.contains("\r\n\r\n")) {
        answer(socket, PROBLEM_408);
      } else {
        socket.close();
      }
    })).isEmpty();
  }

  @Test
  void aServerThatNeverAnswersFailsEveryCase() throws IOException {
    List<String> failures = slowAgainst((socket, received) -> { /* keep it open, say nothing */ });
    assertThat(failures).hasSize(CorpusRunner.slowCases().size())
        .allSatisfy(f -> assertThat(f).containsPattern("^slow .+: still open after \\d+ ms$"));
  }

  @Test
  void aServerThatAnswers200ToEverythingFailsEveryCase() throws IOException {
    List<String> failures = slowAgainst((socket, received) ->
        answer(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
    assertThat(failures).hasSize(CorpusRunner.slowCases().size());
    for (String c : OWED_408) {
      assertThat(failures).contains(c + ": answered 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'"
          + " (wanted a 408 problem)");
    }
    for (String c : NO_HEAD) {
      assertThat(failures).contains(c + ": answered 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'");
    }
  }

  @Test
  void aServerThatResetsEveryConnectionFailsExactlyTheCasesOwedA408() throws IOException {
    List<String> failures = slowAgainst((socket, received) -> {
      socket.setSoLinger(true, 0); // close with RST, not FIN
      socket.close();
    });
    assertThat(failures).hasSize(OWED_408.size());
    for (String c : OWED_408) {
      assertThat(failures).anySatisfy(f -> assertThat(f).startsWith(c + ": connection reset (").endsWith(") instead of a 408 problem"));
    }
  }

  @Test
  void aPortNobodyListensOnFailsEveryCase() {
    // Port 0 is never listened on, so the connection is refused: that proves nothing about timeouts.
    List<String> failures = new CorpusRunner().checkSlow("127.0.0.1", 0, LIMIT);
    assertThat(failures).hasSize(CorpusRunner.slowCases().size())
        .allSatisfy(f -> assertThat(f).containsPattern("^slow .+: could not connect \\(java\\.net\\.ConnectException"));
  }
}
