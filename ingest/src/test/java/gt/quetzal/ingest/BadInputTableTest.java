package gt.quetzal.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import gt.quetzal.contract.Json;
import gt.quetzal.ingest.core.UuidV7Generator;
import gt.quetzal.ingest.core.VoteRules;
import gt.quetzal.ingest.core.VoteValidator;
import gt.quetzal.ingest.http.IngestHttpApp;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.ingest.testing.AckCollector;
import gt.quetzal.ingest.testing.ControlledPublisher;
import gt.quetzal.ingest.testing.InProcessGrpc;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.javalin.testtools.JavalinTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table of bad inputs, run through both front doors: HTTP ({@code JavalinTest}) and gRPC
 * (in-process). Each case names the status and the field each route must report; where a route
 * cannot express an input (a JSON type error has no protobuf equivalent), that side is absent.
 * Both routes run the same {@link VoteValidator}, so the same mistake is named the same way, up to
 * the proto's field spelling ({@code voter_id}) and the reason's case ({@code OUT_OF_RANGE}).
 */
class BadInputTableTest {

  /** How an HTTP request is sent: path, content type, extra headers, raw body bytes. */
  record HttpInput(String path, String contentType, Map<String, String> headers, byte[] body) {
    static HttpInput vote(String json) {
      return new HttpInput("/votes", "application/json", Map.of(), json.getBytes(StandardCharsets.UTF_8));
    }

    static HttpInput batch(String json) {
      return new HttpInput("/votes/batch", "application/json", Map.of(), json.getBytes(StandardCharsets.UTF_8));
    }

    HttpInput header(String name, String value) {
      return new HttpInput(path, contentType, Map.of(name, value), body);
    }

    HttpInput contentType(String type) {
      return new HttpInput(path, type, headers, body);
    }
  }

  /** A gRPC call that is expected to fail; returns the status it failed with. */
  @FunctionalInterface
  interface GrpcInput {
    StatusRuntimeException fail(Channel channel) throws Exception;
  }

  /**
   * @param http       null when the input has no HTTP form
   * @param httpStatus expected HTTP status
   * @param httpError  expected {@code field:code} of the problem's only error
   * @param grpc       null when the input has no gRPC form
   * @param grpcCode   expected gRPC status code
   * @param grpcError  expected {@code field:REASON} of the BadRequest's only violation
   */
  record Case(
      String label, HttpInput http, int httpStatus, String httpError, GrpcInput grpc, Status.Code grpcCode, String grpcError) {
    @Override
    public String toString() {
      return label;
    }
  }

  // ---- inputs ----------------------------------------------------------------------------------

  private static final Vote SEED =
      Vote.newBuilder().setName("Malacates Trébol Shop").setAlbum("Resaca").setYear(2002).setRank(87).build();

  /** The seed vote as JSON with one field set to {@code rawJson}, or removed when it is null. */
  private static String with(String field, String rawJson) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("name", "\"Malacates Trébol Shop\"");
    fields.put("album", "\"Resaca\"");
    fields.put("year", "2002");
    fields.put("rank", "87");
    if (rawJson == null) {
      fields.remove(field);
    } else {
      fields.put(field, rawJson);
    }
    List<String> members = new ArrayList<>();
    fields.forEach((name, value) -> members.add("\"" + name + "\":" + value));
    return "{" + String.join(",", members) + "}";
  }

  private static String without(String field) {
    return with(field, null);
  }

  private static final String GOOD = with("rank", "87");

  private static GrpcInput cast(Function<Vote.Builder, Vote.Builder> change) {
    return channel -> failure(() -> VoteServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).cast(change.apply(SEED.toBuilder()).build()));
  }

  private static GrpcInput castWithKey(String key, Function<Vote.Builder, Vote.Builder> change) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), key);
    return channel ->
        failure(
            () ->
                VoteServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .cast(change.apply(SEED.toBuilder()).build()));
  }

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

  /** Raw bytes sent as the Cast request, to play a broken client. */
  private static GrpcInput rawCast(byte[] bytes) {
    MethodDescriptor<byte[], byte[]> method =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(VoteServiceGrpc.getCastMethod().getFullMethodName())
            .setRequestMarshaller(RAW)
            .setResponseMarshaller(RAW)
            .build();
    return channel -> failure(() -> ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), bytes));
  }

  private static GrpcInput streamWithKey(String key) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), key);
    return channel -> {
      AckCollector acks = new AckCollector();
      StreamObserver<CastStreamRequest> requests =
          VoteServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).castStream(acks);
      requests.onNext(CastStreamRequest.newBuilder().setFirstSequence(1).addVotes(SEED).build());
      acks.closed.get(5, TimeUnit.SECONDS);
      assertThat(acks.failure).as("the stream must fail").isInstanceOf(StatusRuntimeException.class);
      return (StatusRuntimeException) acks.failure;
    };
  }

  private static StatusRuntimeException failure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as("the call must fail").isInstanceOf(StatusRuntimeException.class);
    return (StatusRuntimeException) thrown;
  }

  private static final Status.Code BAD = Status.Code.INVALID_ARGUMENT;
  private static final String LONG_NAME = "x".repeat(201);
  private static final String LONG_ACCENTED = "é".repeat(201);

  static Stream<Case> cases() {
    return Stream.of(
        // required fields
        new Case("name missing", HttpInput.vote(without("name")), 400, "name:required", cast(b -> b.clearName()), BAD, "name:REQUIRED"),
        new Case("album missing", HttpInput.vote(without("album")), 400, "album:required", cast(b -> b.clearAlbum()), BAD, "album:REQUIRED"),
        new Case("year missing", HttpInput.vote(without("year")), 400, "year:required", cast(b -> b.clearYear()), BAD, "year:REQUIRED"),
        new Case("rank missing", HttpInput.vote(without("rank")), 400, "rank:required", cast(b -> b.clearRank()), BAD, "rank:REQUIRED"),
        new Case("name null", HttpInput.vote(with("name", "null")), 400, "name:required", null, null, null),
        // empty and blank
        new Case("name blank", HttpInput.vote(with("name", "\"   \"")), 400, "name:blank", cast(b -> b.setName("   ")), BAD, "name:BLANK"),
        // proto3 cannot tell "" from unset, so over gRPC an empty album is a missing one
        new Case("album empty", HttpInput.vote(with("album", "\"\"")), 400, "album:blank", cast(b -> b.setAlbum("")), BAD, "album:REQUIRED"),
        new Case("rank blank string", HttpInput.vote(with("rank", "\" \"")), 400, "rank:blank", null, null, null),
        // wrong types (JSON only: protobuf is typed)
        new Case("name a number", HttpInput.vote(with("name", "311")), 400, "name:wrong_type", null, null, null),
        new Case("album an object", HttpInput.vote(with("album", "{\"t\":1}")), 400, "album:wrong_type", null, null, null),
        new Case("rank a boolean", HttpInput.vote(with("rank", "true")), 400, "rank:wrong_type", null, null, null),
        new Case("year an array", HttpInput.vote(with("year", "[2002]")), 400, "year:wrong_type", null, null, null),
        new Case("rank fractional", HttpInput.vote(with("rank", "87.5")), 400, "rank:not_an_integer", null, null, null),
        new Case("rank in words", HttpInput.vote(with("rank", "\"eighty\"")), 400, "rank:not_an_integer", null, null, null),
        // lengths and text
        new Case("name too long", HttpInput.vote(with("name", "\"" + LONG_NAME + "\"")), 400, "name:too_long", cast(b -> b.setName(LONG_NAME)), BAD, "name:TOO_LONG"),
        new Case("album too long (accented)", HttpInput.vote(with("album", "\"" + LONG_ACCENTED + "\"")), 400, "album:too_long", cast(b -> b.setAlbum(LONG_ACCENTED)), BAD, "album:TOO_LONG"),
        new Case("name control character", HttpInput.vote(with("name", "\"a\\u0007b\"")), 400, "name:invalid_text", cast(b -> b.setName("a\u0007b")), BAD, "name:INVALID_TEXT"),
        new Case("album tab", HttpInput.vote(with("album", "\"Re\\tsaca\"")), 400, "album:invalid_text", cast(b -> b.setAlbum("Re\tsaca")), BAD, "album:INVALID_TEXT"),
        new Case("name lone surrogate", HttpInput.vote(with("name", "\"a\\ud83c\"")), 400, "name:invalid_text", null, null, null),
        // ranges
        new Case("year 1899", HttpInput.vote(with("year", "1899")), 400, "year:out_of_range", cast(b -> b.setYear(1899)), BAD, "year:OUT_OF_RANGE"),
        new Case("year after next", HttpInput.vote(with("year", "\"2028\"")), 400, "year:out_of_range", cast(b -> b.setYear(2028)), BAD, "year:OUT_OF_RANGE"),
        new Case("rank 0", HttpInput.vote(with("rank", "0")), 400, "rank:out_of_range", cast(b -> b.setRank(0)), BAD, "rank:OUT_OF_RANGE"),
        new Case("rank 101", HttpInput.vote(with("rank", "\"101\"")), 400, "rank:out_of_range", cast(b -> b.setRank(101)), BAD, "rank:OUT_OF_RANGE"),
        new Case("rank negative", HttpInput.vote(with("rank", "-5")), 400, "rank:out_of_range", cast(b -> b.setRank(-5)), BAD, "rank:OUT_OF_RANGE"),
        // optional fields and ids
        new Case("voterId too long", HttpInput.vote(with("voterId", "\"" + LONG_NAME + "\"")), 400, "voterId:too_long", cast(b -> b.setVoterId(LONG_NAME)), BAD, "voter_id:TOO_LONG"),
        new Case("voterId control character", HttpInput.vote(with("voterId", "\"v\\u0000\"")), 400, "voterId:invalid_text", cast(b -> b.setVoterId("v\u0000")), BAD, "voter_id:INVALID_TEXT"),
        new Case("voteId bad characters", HttpInput.vote(with("voteId", "\"a/b\"")), 400, "voteId:invalid_format", cast(b -> b.setVoteId("a/b")), BAD, "vote_id:INVALID_FORMAT"),
        new Case("voteId too long", HttpInput.vote(with("voteId", "\"" + "i".repeat(101) + "\"")), 400, "voteId:invalid_format", cast(b -> b.setVoteId("i".repeat(101))), BAD, "vote_id:INVALID_FORMAT"),
        new Case("voteId a counter", HttpInput.vote(with("voteId", "\"1\"")), 400, "voteId:too_short", cast(b -> b.setVoteId("1")), BAD, "vote_id:TOO_SHORT"),
        new Case("idempotency key too short to be unique", HttpInput.vote(GOOD).header("Idempotency-Key", "vote-15-chars-x"), 400, "Idempotency-Key:too_short", castWithKey("vote-15-chars-x", b -> b), BAD, "idempotency-key:TOO_SHORT"),
        new Case("idempotency key malformed", HttpInput.vote(GOOD).header("Idempotency-Key", "has spaces"), 400, "Idempotency-Key:invalid_format", castWithKey("has spaces", b -> b), BAD, "idempotency-key:INVALID_FORMAT"),
        new Case("voteId differs from the key", HttpInput.vote(with("voteId", "\"idempotency-one-1\"")).header("Idempotency-Key", "idempotency-two-2"), 400, "voteId:conflict", castWithKey("idempotency-two-2", b -> b.setVoteId("idempotency-one-1")), BAD, "vote_id:CONFLICT"),
        new Case("unknown field", HttpInput.vote(with("score", "5")), 400, "score:unknown_field", null, null, null),
        // bodies that are not one vote
        new Case("malformed body", HttpInput.vote("{\"name\": \"a\","), 400, "body:malformed_json", rawCast(new byte[] {0x0A, 0x05, 'a'}), BAD, "request:MALFORMED"),
        new Case("invalid UTF-8", new HttpInput("/votes", "application/json", Map.of(), GOOD.getBytes(StandardCharsets.ISO_8859_1)), 400, "body:malformed_json",
            rawCast(new byte[] {0x0A, 0x02, (byte) 0xC3, 0x28}), BAD, "request:MALFORMED"),
        new Case("array on /votes", HttpInput.vote("[" + GOOD + "]"), 400, "body:wrong_type", null, null, null),
        new Case("empty body", HttpInput.vote(""), 400, "body:required", null, null, null),
        new Case("body too large", HttpInput.vote(with("name", "\"" + "x".repeat(2_000) + "\"")), 413, "body:too_large", null, null, null),
        new Case("wrong content type", HttpInput.vote(GOOD).contentType("text/plain"), 415, "Content-Type:unsupported", null, null, null),
        new Case("latin-1 charset", HttpInput.vote(GOOD).contentType("application/json; charset=ISO-8859-1"), 415, "Content-Type:unsupported", null, null, null),
        // batches and streams
        new Case("batch over the item limit", HttpInput.batch("[" + String.join(",", java.util.Collections.nCopies(4, GOOD)) + "]"), 413, "body:too_many_items", null, null, null),
        new Case("batch not an array", HttpInput.batch(GOOD), 400, "body:wrong_type", null, null, null),
        new Case("batch empty", HttpInput.batch("[]"), 400, "body:required", null, null, null),
        new Case("batch with only an invalid vote", HttpInput.batch("[" + with("rank", "0") + "]"), 400, "[0].rank:out_of_range", null, null, null),
        new Case("per-request key on many votes", HttpInput.batch("[" + GOOD + "]").header("Idempotency-Key", "k-1"), 400, "Idempotency-Key:not_allowed", streamWithKey("k-1"), BAD, "idempotency-key:NOT_ALLOWED"));
  }

  static Stream<Case> httpCases() {
    return cases().filter(c -> c.http() != null);
  }

  static Stream<Case> grpcCases() {
    return cases().filter(c -> c.grpc() != null);
  }

  @Test
  void theTableIsBigEnough() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(30);
    assertThat(grpcCases().count()).isGreaterThanOrEqualTo(20);
    assertThat(cases().map(Case::label).distinct().count()).isEqualTo(cases().count());
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @ParameterizedTest(name = "HTTP: {0}")
  @MethodSource("httpCases")
  void http(Case c) {
    ControlledPublisher publisher = new ControlledPublisher();
    publisher.autoAck = true;
    IngestHttpConfig config =
        IngestHttpConfig.fromEnv(Map.of("MAX_BODY_BYTES", "1024", "MAX_BATCH_SIZE", "3", "MAX_BATCH_BODY_BYTES", "4096"));
    VoteValidator validator =
        new VoteValidator(VoteRules.DEFAULT, Clock.fixed(InProcessGrpc.NOW, ZoneOffset.UTC), new UuidV7Generator(Clock.systemUTC())::nextString);
    IngestHttpApp app = new IngestHttpApp(validator, publisher, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), config);
    JavalinTest.test(
        app.create(),
        (server, client) -> {
          HttpRequest.Builder request =
              HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + c.http().path()))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", c.http().contentType())
                  .POST(HttpRequest.BodyPublishers.ofByteArray(c.http().body()));
          c.http().headers().forEach(request::header);
          HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

          assertThat(response.statusCode()).as(response.body()).isEqualTo(c.httpStatus());
          assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
          JsonNode problem = Json.MAPPER.readTree(response.body());
          List<String> errors = new ArrayList<>();
          problem.path("errors").forEach(e -> errors.add(e.path("field").asText() + ":" + e.path("code").asText()));
          assertThat(errors).containsExactly(c.httpError());
          assertThat(problem.path("errors").get(0).path("message").asText()).isNotBlank();
          assertThat(publisher.nothingPublished()).as("nothing bad reaches Kafka").isTrue();
        });
  }

  // ---- gRPC ------------------------------------------------------------------------------------

  private static ControlledPublisher grpcPublisher;
  private static InProcessGrpc grpc;

  @BeforeAll
  static void startGrpc() {
    grpcPublisher = new ControlledPublisher();
    grpcPublisher.autoAck = true;
    grpc = new InProcessGrpc(grpcPublisher);
  }

  @AfterAll
  static void stopGrpc() throws InterruptedException {
    grpc.close();
  }

  @ParameterizedTest(name = "gRPC: {0}")
  @MethodSource("grpcCases")
  void grpc(Case c) throws Exception {
    StatusRuntimeException e = c.grpc().fail(grpc.channel);
    assertThat(e.getStatus().getCode()).as(String.valueOf(e.getStatus())).isEqualTo(c.grpcCode());
    com.google.rpc.Status details = Objects.requireNonNull(StatusProto.fromThrowable(e), "rich status details");
    List<String> violations = new ArrayList<>();
    for (Any any : details.getDetailsList()) {
      if (any.is(BadRequest.class)) {
        for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
          violations.add(v.getField() + ":" + v.getReason());
          assertThat(v.getDescription()).isNotBlank();
        }
      }
    }
    assertThat(violations).containsExactly(c.grpcError());
    assertThat(e.getStatus().getDescription()).contains(c.grpcError().split(":")[0]);
    assertThat(grpcPublisher.nothingPublished()).as("nothing bad reaches Kafka").isTrue();
  }
}
