package gt.quetzal.web;

import org.awaitility.Awaitility;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A test SSE client: collects every event of one stream, in order, until closed. */
final class SseRecorder implements AutoCloseable {

  record Event(String name, String data) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<String> comments = new CopyOnWriteArrayList<>();
  private final CompletableFuture<HttpResponse<Stream<String>>> response;
  private volatile Stream<String> lines;

  SseRecorder(String url) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET().build();
    response = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    response.thenAcceptAsync(this::consume);
  }

  private void consume(HttpResponse<Stream<String>> r) {
    lines = r.body();
    String name = null;
    List<String> data = new ArrayList<>();
    try {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(name == null ? "message" : name, String.join("\n", data)));
          }
          name = null;
          data.clear();
        } else if (line.startsWith("event:")) {
          name = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.add(line.substring(5).stripLeading());
        } else if (line.startsWith(":")) {
          comments.add(line.substring(1).trim());
        }
      }
    } catch (RuntimeException closed) {
      // the stream ended
    }
  }

  HttpResponse<Stream<String>> response() {
    return response.join();
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  List<String> comments() {
    return List.copyOf(comments);
  }

  /** Waits for the first event (from the start of the stream) matching {@code test}. */
  Event await(Duration atMost, Predicate<Event> test) {
    return Awaitility.await()
        .atMost(atMost)
        .until(() -> events.stream().filter(test).findFirst().orElse(null), e -> e != null);
  }

  @Override
  public void close() {
    Stream<String> open = lines;
    if (open != null) {
      open.close();
    }
    response.cancel(true);
  }
}
