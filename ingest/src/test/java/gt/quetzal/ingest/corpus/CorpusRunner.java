package gt.quetzal.ingest.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import gt.quetzal.contract.Json;
import gt.quetzal.ingest.corpus.BadInputCorpus.GrpcCase;
import gt.quetzal.ingest.corpus.BadInputCorpus.HttpCase;
import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@link BadInputCorpus} inputs and checks each answer; every check that fails becomes one
 * line of the returned list, so a test can assert the list is empty and print everything at once.
 */
public final class CorpusRunner {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  // ---- HTTP ------------------------------------------------------------------------------------

  /** @return what went wrong, or an empty string when the answer is as the case says */
  public String check(URI base, HttpCase c) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base.toString() + c.path()))
              .timeout(CALL_TIMEOUT)
              .method(c.method(), c.body().length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()));
      if (c.contentType() != null) {
        request.header("Content-Type", c.contentType());
      }
      c.headers().forEach(request::header);
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException closed) {
        // Jetty closes the connection after refusing a malformed request; a pooled connection can
        // be picked before the client noticed. A real client reconnects, and so do we, once.
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      }
      StringBuilder wrong = new StringBuilder();
      if (response.statusCode() != c.status()) {
        wrong.append("status ").append(response.statusCode()).append(" (wanted ").append(c.status()).append(")");
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (!type.startsWith("application/problem+json")) {
        wrong.append(" content type '").append(type).append("'");
        return c + ": " + wrong + " body " + abbreviate(response.body());
      }
      JsonNode problem = Json.MAPPER.readTree(response.body());
      if (problem.path("status").asInt() != response.statusCode() || problem.path("title").asText().isBlank()) {
        wrong.append(" problem without a matching status or a title");
      }
      if (c.field() != null) {
        boolean named = false;
        List<String> errors = new ArrayList<>();
        for (JsonNode error : problem.path("errors")) {
          String field = error.path("field").asText();
          String code = error.path("code").asText();
          errors.add(field + ":" + code);
          if (field.equals(c.field()) && (c.code() == null || code.equals(c.code())) && !error.path("message").asText().isBlank()) {
            named = true;
          }
        }
        if (!named) {
          wrong.append(" errors ").append(errors).append(" (wanted ").append(c.field()).append(":").append(c.code()).append(")");
        }
      }
      return wrong.isEmpty() ? "" : c + ": " + wrong + " body " + abbreviate(response.body());
    } catch (IOException | RuntimeException e) {
      return c + ": request failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return c + ": interrupted";
    }
  }

  public List<String> checkAll(URI base, List<HttpCase> cases) {
    List<String> failures = new ArrayList<>();
    for (HttpCase c : cases) {
      String wrong = check(base, c);
      if (!wrong.isEmpty()) {
        failures.add(wrong);
      }
    }
    return failures;
  }

  // ---- gRPC ------------------------------------------------------------------------------------

  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static MethodDescriptor<byte[], byte[]> rawMethod(MethodDescriptor<?, ?> like) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(like.getType())
        .setFullMethodName(like.getFullMethodName())
        .setRequestMarshaller(RAW)
        .setResponseMarshaller(RAW)
        .build();
  }

  public String check(Channel channel, GrpcCase c) {
    try {
      return switch (c.kind()) {
        case CAST -> expectFailure(c, () -> VoteServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).cast(c.vote()));
        case CAST_RAW -> expectFailure(c, () -> ClientCalls.blockingUnaryCall(channel, rawMethod(VoteServiceGrpc.getCastMethod()),
            CallOptions.DEFAULT.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), c.raw()));
        case STREAM -> checkStream(channel, c);
        case STREAM_RAW -> checkRawStream(channel, c);
      };
    } catch (RuntimeException e) {
      return c + ": call failed unexpectedly: " + e;
    }
  }

  public List<String> checkAll(Channel channel, List<GrpcCase> cases) {
    List<String> failures = new ArrayList<>();
    for (GrpcCase c : cases) {
      String wrong = check(channel, c);
      if (!wrong.isEmpty()) {
        failures.add(wrong);
      }
    }
    return failures;
  }

  private static String expectFailure(GrpcCase c, Runnable call) {
    try {
      call.run();
      return c + ": the call succeeded";
    } catch (StatusRuntimeException e) {
      return checkStatus(c, e);
    }
  }

  private static String checkStatus(GrpcCase c, StatusRuntimeException e) {
    if (e.getStatus().getCode() != c.code()) {
      return c + ": status " + e.getStatus() + " (wanted " + c.code() + ")";
    }
    if (c.field() == null) {
      return "";
    }
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    List<String> violations = new ArrayList<>();
    if (details != null) {
      for (Any any : details.getDetailsList()) {
        if (any.is(BadRequest.class)) {
          try {
            for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
              violations.add(v.getField() + ":" + v.getReason());
              if (v.getField().equals(c.field()) && (c.reason() == null || v.getReason().equals(c.reason())) && !v.getDescription().isBlank()) {
                return "";
              }
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            return c + ": unreadable BadRequest " + ex;
          }
        }
      }
    }
    return c + ": violations " + violations + " (wanted " + c.field() + ":" + c.reason() + ") in " + e.getStatus();
  }

  private static String checkStream(Channel channel, GrpcCase c) {
    Collector<CastStreamAck> acks = new Collector<>();
    StreamObserver<CastStreamRequest> requests =
        VoteServiceGrpc.newStub(channel).withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).castStream(acks);
    requests.onNext(BadInputCorpus.streamRequest(c.votes()));
    requests.onCompleted();
    Status status = acks.await();
    if (!status.isOk()) {
      return c + ": stream ended " + status;
    }
    List<String> seen = new ArrayList<>();
    for (CastStreamAck ack : acks.items) {
      for (CastStreamAck.Result result : ack.getResultsList()) {
        seen.add(result.getOutcome() + " " + result.getViolationsList().stream().map(v -> v.getField()).toList());
        if (result.getOutcome() != CastStreamAck.Outcome.INVALID) {
          return c + ": a vote was acked " + result.getOutcome();
        }
        if (result.getViolationsList().stream().noneMatch(v -> v.getField().equals(c.field()) && !v.getDescription().isBlank())) {
          return c + ": violations " + seen + " (wanted " + c.field() + ")";
        }
      }
    }
    return seen.size() == c.votes().size() ? "" : c + ": " + seen.size() + " results for " + c.votes().size() + " votes";
  }

  private static String checkRawStream(Channel channel, GrpcCase c) {
    Collector<byte[]> acks = new Collector<>();
    ClientCall<byte[], byte[]> call =
        channel.newCall(rawMethod(VoteServiceGrpc.getCastStreamMethod()),
            CallOptions.DEFAULT.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, acks);
    requests.onNext(c.raw());
    Status status = acks.await();
    if (status.isOk()) {
      requests.onCompleted();
      return c + ": the stream did not fail";
    }
    return checkStatus(c, acks.failure);
  }

  /** Collects a stream's answers and its end. */
  private static final class Collector<T> implements StreamObserver<T> {
    final List<T> items = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    volatile StatusRuntimeException failure;

    @Override
    public void onNext(T value) {
      items.add(value);
    }

    @Override
    public void onError(Throwable t) {
      failure = t instanceof StatusRuntimeException e ? e : Status.fromThrowable(t).asRuntimeException();
      closed.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      closed.complete(Status.OK);
    }

    Status await() {
      try {
        return closed.get(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      } catch (Exception e) {
        return Status.DEADLINE_EXCEEDED.withDescription("no end of stream: " + e);
      }
    }
  }

  // ---- slow and partial requests -----------------------------------------------------------------

  /**
   * A request that stops part-way. One stalled in its body must get a 408 problem within the idle
   * timeout; one stalled in its headers has no request to answer yet, so the server closes.
   */
  public record SlowCase(String label, String head, byte[] partialBody, boolean in408) {
    @Override
    public String toString() {
      return "slow " + label;
    }
  }

  public static List<SlowCase> slowCases() {
    byte[] half = BadInputCorpus.GOOD_JSON.substring(0, 30).getBytes(StandardCharsets.UTF_8);
    int full = BadInputCorpus.GOOD_JSON.getBytes(StandardCharsets.UTF_8).length;
    String json = "Content-Type: application/json\r\n";
    return List.of(
        new SlowCase("half a body", "POST /votes HTTP/1.1\r\nHost: ingest\r\n" + json + "Content-Length: " + full + "\r\n\r\n", half, true),
        new SlowCase("headers but no body", "POST /votes HTTP/1.1\r\nHost: ingest\r\n" + json + "Content-Length: " + full + "\r\n\r\n", new byte[0], true),
        new SlowCase("half a batch", "POST /votes/batch HTTP/1.1\r\nHost: ingest\r\n" + json + "Content-Length: 4096\r\n\r\n", half, true),
        new SlowCase("a chunk then silence", "POST /votes HTTP/1.1\r\nHost: ingest\r\n" + json + "Transfer-Encoding: chunked\r\n\r\n",
            concat(Integer.toHexString(half.length) + "\r\n", half, "\r\n"), true),
        new SlowCase("half the headers", "POST /votes HTTP/1.1\r\nHost: ingest\r\nContent-Ty", new byte[0], false),
        new SlowCase("only a request line", "POST /votes HTTP/1.1\r\n", new byte[0], false));
  }

  /**
   * Sends every slow case at once on its own connection, then waits (at most {@code limit}) for each
   * to end: a 408 status line, or the server closing the connection.
   */
  public List<String> checkSlow(String host, int port, Duration limit) {
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (SlowCase c : slowCases()) {
      results.add(CompletableFuture.supplyAsync(() -> checkSlow(host, port, limit, c)));
    }
    List<String> failures = new ArrayList<>();
    for (CompletableFuture<String> result : results) {
      String wrong = result.join();
      if (!wrong.isEmpty()) {
        failures.add(wrong);
      }
    }
    return failures;
  }

  private static String checkSlow(String host, int port, Duration limit, SlowCase c) {
    long start = System.nanoTime();
    Socket socket;
    try {
      socket = new Socket(host, port);
    } catch (IOException e) {
      // Nobody listening proves nothing about the idle timeout, for any case.
      return c + ": could not connect (" + e + ")";
    }
    try (socket) {
      socket.setSoTimeout((int) limit.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(c.head().getBytes(StandardCharsets.ISO_8859_1));
      out.write(c.partialBody());
      out.flush(); // and then nothing more: the server must give up on us
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      if (!c.in408()) {
        return answer.isEmpty() || answer.startsWith("HTTP/1.1 408") ? "" : c + ": answered '" + abbreviate(answer) + "'";
      }
      boolean timedOut =
          answer.startsWith("HTTP/1.1 408") && answer.contains("application/problem+json") && answer.contains("request-timeout");
      return timedOut ? "" : c + ": answered '" + abbreviate(answer) + "' (wanted a 408 problem)";
    } catch (SocketTimeoutException e) {
      return c + ": still open after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms";
    } catch (IOException e) {
      // A reset is a close: right for a request with no complete head, wrong where a 408 is owed.
      return c.in408() ? c + ": connection reset (" + e.getMessage() + ") instead of a 408 problem" : "";
    }
  }

  /** One chunk of a chunked body: its size line counts bytes, not characters. */
  private static byte[] concat(String sizeLine, byte[] data, String end) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(sizeLine.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    out.writeBytes(end.getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "…";
  }
}
