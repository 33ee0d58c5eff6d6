package gt.quetzal.bench.fault;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import gt.quetzal.proto.v1.Vote;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code POST /votes} (one vote per request, {@code voteId} in the body) or {@code POST /votes/batch} (the
 * votes due, one request; each item's fate read from the {@code accepted} / {@code rejected} /
 * {@code unavailable} lists, so exactly the unknown ones are retried).
 */
final class HttpRoute implements Route {

  /** Batch requests in flight at most, each of up to {@link #MAX_BATCH} votes (ingest's MAX_BATCH_SIZE). */
  static final int MAX_BATCHES_IN_FLIGHT = 16;
  static final int MAX_BATCH = 1_000;

  private final Kind kind;
  private final HttpClient http;
  private final Supplier<URI> ingest;
  private final Duration timeout;
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param batch {@code POST /votes/batch} rather than {@code POST /votes}
   * @param ingest base URL of ingest-http, read per request: a fault may point it at another instance
   */
  HttpRoute(boolean batch, HttpClient http, Supplier<URI> ingest, Duration timeout) {
    this.kind = batch ? Kind.BATCH : Kind.HTTP;
    this.http = http;
    this.ingest = ingest;
    this.timeout = timeout;
  }

  @Override
  public Kind kind() {
    return kind;
  }

  @Override
  public int room() {
    return kind == Kind.HTTP
        ? Math.max(0, MAX_SINGLES_IN_FLIGHT - inFlight.get())
        : inFlight.get() < MAX_BATCHES_IN_FLIGHT ? MAX_BATCH : 0;
  }

  @Override
  public void send(List<PendingVote> votes) {
    if (votes.isEmpty()) {
      return;
    }
    if (kind == Kind.HTTP) {
      votes.forEach(v -> post("/votes", item(v.vote), List.of(v)));
    } else {
      List<Map<String, String>> items = new ArrayList<>(votes.size());
      votes.forEach(v -> items.add(item(v.vote)));
      post("/votes/batch", items, votes);
    }
  }

  private static Map<String, String> item(Vote vote) {
    Map<String, String> item = new LinkedHashMap<>();
    item.put("voteId", vote.getVoteId());
    item.put("name", vote.getName());
    item.put("album", vote.getAlbum());
    item.put("year", Integer.toString(vote.getYear()));
    item.put("rank", Integer.toString(vote.getRank()));
    return item;
  }

  private void post(String path, Object body, List<PendingVote> votes) {
    byte[] json;
    try {
      json = Json.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpRequest request = HttpRequest.newBuilder(ingest.get().resolve(path))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json))
        .build();
    inFlight.incrementAndGet();
    votes.forEach(PendingVote::attempting);
    http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
      inFlight.decrementAndGet();
      if (error != null) { // timeout, refused or reset connection: the request may have reached ingest
        votes.forEach(v -> v.unknown(OptionalLong.empty()));
      } else if (kind == Kind.HTTP) {
        answerSingle(response, votes.get(0));
      } else {
        answerBatch(response, votes);
      }
    });
  }

  private static void answerSingle(HttpResponse<byte[]> response, PendingVote vote) {
    int status = response.statusCode();
    if (status == 202) {
      vote.acknowledged();
    } else {
      whole(status, retryAfter(response), List.of(vote));
    }
  }

  /** 202 or a problem document, both with the three lists; anything else answers the whole batch alike. */
  private static void answerBatch(HttpResponse<byte[]> response, List<PendingVote> votes) {
    OptionalLong hint = retryAfter(response);
    JsonNode lists;
    try {
      lists = Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      lists = null;
    }
    if (lists == null || !lists.has("accepted")) {
      whole(response.statusCode(), hint, votes);
      return;
    }
    boolean[] answered = new boolean[votes.size()];
    for (JsonNode item : lists.path("accepted")) {
      answered[item.path("index").asInt()] = true;
      votes.get(item.path("index").asInt()).acknowledged();
    }
    for (JsonNode item : lists.path("rejected")) {
      answered[item.path("index").asInt()] = true;
      votes.get(item.path("index").asInt()).refused();
    }
    for (int i = 0; i < votes.size(); i++) {
      if (!answered[i]) { // listed unavailable, or not listed at all: its fate is unknown
        votes.get(i).unknown(hint);
      }
    }
  }

  /** One status for every vote of the request. */
  private static void whole(int status, OptionalLong hint, List<PendingVote> votes) {
    for (PendingVote v : votes) {
      if (status == 429) {
        v.busy(hint);
      } else if (status >= 500) {
        v.unknown(hint);
      } else {
        v.refused();
      }
    }
  }

  private static OptionalLong retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(v -> {
      try {
        return OptionalLong.of(Math.min(Long.parseLong(v.trim()) * 1000, 5_000));
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }).orElse(OptionalLong.empty());
  }

  @Override
  public void close() {
    // The HttpClient is the sender's.
  }
}
