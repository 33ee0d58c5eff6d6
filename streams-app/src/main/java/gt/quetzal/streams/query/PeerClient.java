package gt.quetzal.streams.query;

import static java.nio.charset.StandardCharsets.UTF_8;

import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks another instance of the app, over its public query endpoints, for the part of an answer it
 * owns. Every request carries {@value #FORWARDED_HEADER}: the receiver then answers from its own
 * stores only and never forwards again, so two instances with different views of the assignment
 * cannot bounce a request between them.
 *
 * <p>Every failure (unreachable, timed out, an error status) completes the future with a {@link
 * StoreUnavailableException}: the owner is restarting or the assignment is moving, and a retry in a
 * moment is the right reaction.
 */
public final class PeerClient {

  /** Marks a request as forwarded; its value names the forwarding instance, for logs. */
  public static final String FORWARDED_HEADER = "X-Quetzal-Forwarded-By";

  private final HttpClient http;
  private final String self;
  private final Duration timeout;

  /**
   * @param self    this instance's {@code host:port}, sent in {@value #FORWARDED_HEADER}
   * @param timeout per request, connection included
   */
  PeerClient(String self, Duration timeout) {
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.self = self;
    this.timeout = timeout;
  }

  CompletableFuture<Map<String, Long>> bandTotals(HostInfo peer) {
    return get(peer, "/api/standings", QueryViews.Standings.class).thenApply(QueryViews.Standings::totals);
  }

  CompletableFuture<List<AlbumTally>> albums(HostInfo peer, String band) {
    return get(peer, "/api/bands/" + segment(band) + "/albums", QueryViews.Albums.class)
        .thenApply(QueryViews.Albums::tallies);
  }

  CompletableFuture<List<TallyQueries.MinuteCount>> timeline(
      HostInfo peer, String band, long fromMs, long toMs) {
    String path = "/api/bands/" + segment(band) + "/timeline?from=" + fromMs + "&to=" + toMs;
    return get(peer, path, QueryViews.Timeline.class).thenApply(QueryViews.Timeline::counts);
  }

  CompletableFuture<Map<String, Long>> stats(HostInfo peer) {
    return get(peer, "/api/stats", QueryViews.StatsView.class).thenApply(QueryViews.StatsView::flat);
  }

  private <T> CompletableFuture<T> get(HostInfo peer, String pathAndQuery, Class<T> type) {
    String where = peer.host() + ":" + peer.port();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + where + pathAndQuery))
            .timeout(timeout)
            .header(FORWARDED_HEADER, self)
            .header("Accept", "application/json")
            .GET()
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (response, failure) -> {
              if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                throw new StoreUnavailableException(
                    "instance " + where + " did not answer " + pathAndQuery + ": " + cause, cause);
              }
              if (response.statusCode() != 200) {
                throw new StoreUnavailableException(
                    "instance " + where + " answered " + pathAndQuery + " with " + response.statusCode()
                        + ": " + new String(response.body(), UTF_8),
                    null);
              }
              try {
                return Json.MAPPER.readValue(response.body(), type);
              } catch (IOException e) {
                throw new StoreUnavailableException(
                    "instance " + where + " sent an unreadable answer to " + pathAndQuery, e);
              }
            });
  }

  /** Percent-encodes one path segment (RFC 3986: everything but unreserved characters). */
  public static String segment(String value) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : value.getBytes(UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        encoded.append(c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
      }
    }
    return encoded.toString();
  }
}
