package gt.quetzal.bench.fault;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import gt.quetzal.contract.Json;
import gt.quetzal.kit.DaemonThreads;
import gt.quetzal.proto.v1.CastReply;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends votes at a steady rate through both routes at once, {@code POST /votes} and gRPC {@code Cast}, and
 * keeps each vote's final outcome. A vote whose answer leaves its fate unknown (503 / UNAVAILABLE, 429, a
 * timeout, a refused or reset connection) is sent again with the same voteId until it is acknowledged or
 * refused, or its retry window closes; the pipeline must then count it at most once.
 *
 * <p>VoteIds are {@code <runId>.<h|g><sequence>}: the run prefix lets the stores be read back per run.
 */
public final class SteadySender implements AutoCloseable {

  /**
   * @param votesPerSecond per route
   * @param attemptTimeout bound on one attempt; above ingest's publish timeout (13 s by default) so the
   *     server answers first
   * @param retryWindow no new attempt starts this long after a vote's first one
   * @param retryDelay pause before a retry when the server gave no hint
   * @param giveUpEvery every n-th vote's client gives up after its first unknown answer instead of
   *     retrying (0: every client retries), so runs also hold votes that may or may not be stored
   * @param resendEvery every n-th vote is sent once more after its 202 / OK, under the same voteId, as a
   *     client does that lost the answer on the way back (0: none); the streams app must drop the copy
   */
  public record Settings(
      double votesPerSecond, Duration attemptTimeout, Duration retryWindow, Duration retryDelay, int giveUpEvery,
      int resendEvery) {
    public static final Settings DEFAULT =
        new Settings(20, Duration.ofSeconds(20), Duration.ofSeconds(45), Duration.ofSeconds(1), 10, 7);

    public Settings withRetryWindow(Duration window, Duration delay) {
      return new Settings(votesPerSecond, attemptTimeout, window, delay, giveUpEvery, resendEvery);
    }

    public Settings withRate(double perSecond) {
      return new Settings(perSecond, attemptTimeout, retryWindow, retryDelay, giveUpEvery, resendEvery);
    }
  }

  private final Settings settings;
  private final String runId;
  private final List<Map.Entry<String, String>> bands;
  private final URI votesUri;
  private final HttpClient http;
  private final ManagedChannel channel;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentLinkedQueue<Attempts> votes = new ConcurrentLinkedQueue<>();
  private final AtomicLong sequence = new AtomicLong();
  private volatile boolean sending;

  /** @param bands band name to an album of it; votes go round-robin over them */
  public SteadySender(FaultStack stack, String runId, Map<String, String> bands, Settings settings) {
    this.settings = settings;
    this.runId = runId;
    this.bands = List.copyOf(bands.entrySet());
    FaultStack.Endpoints endpoints = stack.endpoints();
    this.votesUri = endpoints.ingestHttp().resolve("/votes");
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    this.channel = Grpc.newChannelBuilderForAddress(endpoints.grpcHost(), endpoints.grpcPort(), InsecureChannelCredentials.create())
        .build();
    this.scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named("fault-sender"));
  }

  /** Starts both routes at the configured rate. */
  public void start() {
    sending = true;
    long periodNanos = (long) (1e9 / settings.votesPerSecond());
    scheduler.scheduleAtFixedRate(() -> send(true), 0, periodNanos, TimeUnit.NANOSECONDS);
    scheduler.scheduleAtFixedRate(() -> send(false), periodNanos / 2, periodNanos, TimeUnit.NANOSECONDS);
  }

  /** No new votes from now on; votes already started keep retrying within their window. */
  public void stopSending() {
    sending = false;
  }

  private void send(boolean viaHttp) {
    if (!sending) {
      return;
    }
    long seq = sequence.getAndIncrement();
    Map.Entry<String, String> band = bands.get((int) (seq % bands.size()));
    Vote vote = Vote.newBuilder()
        .setVoteId(String.format("%s.%s%06d", runId, viaHttp ? "h" : "g", seq)) // >= 16 characters, as ingest asks
        .setName(band.getKey())
        .setAlbum(band.getValue())
        .setYear(2001)
        .setRank((int) (seq % 100) + 1)
        .build();
    boolean retries = settings.giveUpEvery() <= 0 || seq % settings.giveUpEvery() != 0;
    boolean resend = settings.resendEvery() > 0 && seq % settings.resendEvery() == 1;
    Attempts attempts = new Attempts(vote, viaHttp ? "http" : "grpc", System.nanoTime(), retries, resend);
    votes.add(attempts);
    attempt(attempts);
  }

  /** One vote's attempts so far; completes {@code done} with its final outcome. */
  private final class Attempts {
    final Vote vote;
    final String route;
    final long firstNanos;
    final boolean retries;
    final boolean resend;
    final CompletableFuture<VoteOutcome> done = new CompletableFuture<>();
    int count;
    int uncertain;
    boolean acked;
    boolean resent;

    Attempts(Vote vote, String route, long firstNanos, boolean retries, boolean resend) {
      this.vote = vote;
      this.route = route;
      this.firstNanos = firstNanos;
      this.retries = retries;
      this.resend = resend;
    }

    /** Once acknowledged, always acknowledged: whatever a deliberate resend gets back changes nothing. */
    synchronized void finish(VoteOutcome.Result result) {
      VoteOutcome.Result last = acked ? VoteOutcome.Result.ACKNOWLEDGED : result;
      done.complete(new VoteOutcome(vote.getVoteId(), route, vote.getName(), last, count, uncertain, resent));
    }

    /** 202 / OK; a vote picked for a resend goes once more, under the same voteId, before it is done. */
    void acknowledged() {
      synchronized (this) {
        acked = true;
        if (resend && !resent) {
          resent = true;
          scheduler.execute(() -> attempt(this));
          return;
        }
      }
      finish(VoteOutcome.Result.ACKNOWLEDGED);
    }

    /** The outcome, or PENDING while an attempt is still out. */
    synchronized VoteOutcome now() {
      return done.getNow(new VoteOutcome(vote.getVoteId(), route, vote.getName(),
          acked ? VoteOutcome.Result.ACKNOWLEDGED : VoteOutcome.Result.PENDING, count, uncertain + 1, resent));
    }

    /** The fate is unknown: retry after {@code delay} if the window allows, else give up as UNAVAILABLE. */
    synchronized void retryLater(boolean mayHaveLanded, OptionalLong hintMillis) {
      if (mayHaveLanded) {
        uncertain++;
      }
      long delay = hintMillis.orElse(settings.retryDelay().toMillis());
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstNanos);
      if (!retries || elapsed + delay > settings.retryWindow().toMillis()) {
        finish(VoteOutcome.Result.UNAVAILABLE);
        return;
      }
      scheduler.schedule(() -> attempt(this), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void attempt(Attempts a) {
    synchronized (a) {
      a.count++;
    }
    if (a.route.equals("http")) {
      attemptHttp(a);
    } else {
      attemptGrpc(a);
    }
  }

  private void attemptHttp(Attempts a) {
    byte[] body;
    try {
      body = Json.MAPPER.writeValueAsBytes(Map.of(
          "voteId", a.vote.getVoteId(),
          "name", a.vote.getName(),
          "album", a.vote.getAlbum(),
          "year", Integer.toString(a.vote.getYear()),
          "rank", Integer.toString(a.vote.getRank())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpRequest request = HttpRequest.newBuilder(votesUri)
        .timeout(settings.attemptTimeout())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      if (error != null) {
        // Timeout, refused or reset connection: the request may have reached ingest.
        a.retryLater(true, OptionalLong.empty());
        return;
      }
      int status = response.statusCode();
      if (status == 202) {
        a.acknowledged();
      } else if (status == 429) {
        a.retryLater(false, retryAfter(response));
      } else if (status >= 500) {
        a.retryLater(true, retryAfter(response));
      } else {
        a.finish(VoteOutcome.Result.REFUSED);
      }
    });
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

  private void attemptGrpc(Attempts a) {
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // After a long outage the channel's reconnect backoff can reach minutes; a retry means "try now".
      channel.resetConnectBackoff();
    }
    Futures.addCallback(
        VoteServiceGrpc.newFutureStub(channel)
            .withDeadlineAfter(settings.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .cast(a.vote),
        new FutureCallback<CastReply>() {
          @Override
          public void onSuccess(CastReply reply) {
            a.acknowledged();
          }

          @Override
          public void onFailure(Throwable t) {
            Status.Code code = Status.fromThrowable(t).getCode();
            switch (code) {
              case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, PERMISSION_DENIED, UNAUTHENTICATED,
                  UNIMPLEMENTED, NOT_FOUND, ALREADY_EXISTS -> a.finish(VoteOutcome.Result.REFUSED);
              case RESOURCE_EXHAUSTED -> a.retryLater(false, OptionalLong.empty());
              default -> a.retryLater(true, OptionalLong.empty()); // UNAVAILABLE, DEADLINE_EXCEEDED, ...
            }
          }
        },
        MoreExecutors.directExecutor());
  }

  /** Votes started so far. */
  public long sent() {
    return sequence.get();
  }

  /**
   * Waits until every started vote has its final outcome, at most {@code timeout}; votes still waiting
   * then are PENDING.
   */
  public List<VoteOutcome> awaitOutcomes(Duration timeout) {
    List<Attempts> all = new ArrayList<>(votes);
    try {
      CompletableFuture.allOf(all.stream().map(a -> a.done).toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // Reported as PENDING below.
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for answers", e);
    }
    List<VoteOutcome> outcomes = new ArrayList<>(all.size());
    for (Attempts a : all) {
      outcomes.add(a.now());
    }
    return outcomes;
  }

  @Override
  public void close() {
    sending = false;
    scheduler.shutdownNow();
    channel.shutdownNow();
  }
}
