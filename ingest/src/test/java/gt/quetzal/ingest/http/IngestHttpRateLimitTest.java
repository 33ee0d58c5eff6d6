package gt.quetzal.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Json;
import gt.quetzal.ingest.core.ClientRateLimit;
import gt.quetzal.ingest.core.RateLimiter;
import gt.quetzal.ingest.core.UuidV7Generator;
import gt.quetzal.ingest.core.VoteRules;
import gt.quetzal.ingest.core.VoteValidator;
import gt.quetzal.ingest.testing.ControlledPublisher;
import gt.quetzal.ingest.testing.InProcessGrpc;
import io.javalin.testtools.JavalinTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** 429 with Retry-After per client, over real HTTP, on a limiter clock the test moves. */
class IngestHttpRateLimitTest {

  private static final String VOTE = "{\"name\":\"Alux Nahual\",\"album\":\"Conquista\",\"year\":1983,\"rank\":90%s}";
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong();
  private final ControlledPublisher publisher = new ControlledPublisher();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newHttpClient();

  private IngestHttpApp app(Map<String, String> env) {
    publisher.autoAck = true;
    IngestHttpConfig config = IngestHttpConfig.fromEnv(env);
    RateLimiter limiter = new RateLimiter(config.rateLimit().perSecond(), config.rateLimit().burst(), 1_000, now::get);
    VoteValidator validator =
        new VoteValidator(VoteRules.DEFAULT, Clock.fixed(InProcessGrpc.NOW, ZoneOffset.UTC), new UuidV7Generator(Clock.systemUTC())::nextString);
    return new IngestHttpApp(validator, publisher, registry, config, new ClientRateLimit(config.rateLimit(), limiter));
  }

  private HttpResponse<String> post(int port, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void overTheRateAClientGets429WithRetryAfterAndNothingIsPublished() {
    JavalinTest.test(
        app(Map.of("RATE_LIMIT_KEY", "ip", "RATE_LIMIT_PER_SECOND", "1", "RATE_LIMIT_BURST", "2")).create(),
        (server, client) -> {
          String vote = VOTE.formatted("");
          assertThat(post(server.port(), "/votes", vote).statusCode()).isEqualTo(202);
          assertThat(post(server.port(), "/votes", vote).statusCode()).isEqualTo(202);

          HttpResponse<String> limited = post(server.port(), "/votes", vote);
          assertThat(limited.statusCode()).isEqualTo(429);
          assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
          assertThat(limited.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
          JsonNode problem = Json.MAPPER.readTree(limited.body());
          assertThat(problem.path("type").asText()).isEqualTo(Problem.RATE_LIMITED);
          assertThat(problem.path("status").asInt()).isEqualTo(429);
          assertThat(problem.path("errors")).isEmpty(); // keyed by address: no field is at fault

          // a batch counts its votes: 3 votes do not fit in the 1 token that one second brings back
          now.addAndGet(SECOND);
          String batch = "[" + vote + "," + vote + "," + vote + "]";
          assertThat(post(server.port(), "/votes/batch", batch).statusCode()).isEqualTo(429);
          // ...and its body, read before the votes were counted, spent that token
          assertThat(post(server.port(), "/votes", vote).statusCode()).isEqualTo(429);
          now.addAndGet(SECOND);
          assertThat(post(server.port(), "/votes", vote).statusCode()).isEqualTo(202);

          publisher.next();
          publisher.next();
          publisher.next();
          assertThat(publisher.nothingPublished()).as("only the three allowed votes were published").isTrue();
          assertThat(registry.scrape()).contains("quetzal_ingest_votes_rejected_total{channel=\"http\",reason=\"rate_limited\"} 5.0");
        });
  }

  @Test
  void byVoterIdTheProblemNamesTheFieldAndOtherVotersAreNotAffected() {
    JavalinTest.test(
        app(Map.of("RATE_LIMIT_KEY", "voterId", "RATE_LIMIT_PER_SECOND", "1", "RATE_LIMIT_BURST", "1")).create(),
        (server, client) -> {
          assertThat(post(server.port(), "/votes", VOTE.formatted(",\"voterId\":\"ana\"")).statusCode()).isEqualTo(202);
          HttpResponse<String> limited = post(server.port(), "/votes", VOTE.formatted(",\"voterId\":\"ana\""));
          assertThat(limited.statusCode()).isEqualTo(429);
          JsonNode error = Json.MAPPER.readTree(limited.body()).path("errors").get(0);
          assertThat(error.path("field").asText()).isEqualTo("voterId");
          assertThat(error.path("code").asText()).isEqualTo("rate_limited");
          assertThat(post(server.port(), "/votes", VOTE.formatted(",\"voterId\":\"beto\"")).statusCode()).isEqualTo(202);
        });
  }

  @Test
  void forwardedForCountsOnlyFromATrustedProxy() {
    JavalinTest.test(
        app(Map.of("RATE_LIMIT_KEY", "ip", "RATE_LIMIT_BURST", "1", "TRUSTED_PROXIES", "127.0.0.1, ::1")).create(),
        (server, client) -> {
          String vote = VOTE.formatted("");
          // the test client connects from loopback, the trusted "Ingress": each forwarded client has its own bucket
          assertThat(post(server.port(), "/votes", vote, "X-Forwarded-For", "203.0.113.1").statusCode()).isEqualTo(202);
          assertThat(post(server.port(), "/votes", vote, "X-Forwarded-For", "203.0.113.2").statusCode()).isEqualTo(202);
          assertThat(post(server.port(), "/votes", vote, "X-Forwarded-For", "203.0.113.1").statusCode()).isEqualTo(429);
        });
    JavalinTest.test(
        app(Map.of("RATE_LIMIT_KEY", "ip", "RATE_LIMIT_BURST", "1")).create(),
        (server, client) -> {
          String vote = VOTE.formatted("");
          // no trusted proxy: a spoofed header does not buy a fresh bucket
          assertThat(post(server.port(), "/votes", vote, "X-Forwarded-For", "203.0.113.1").statusCode()).isEqualTo(202);
          assertThat(post(server.port(), "/votes", vote, "X-Forwarded-For", "203.0.113.2").statusCode()).isEqualTo(429);
        });
  }

  @Test
  void malformedBodiesCostTheirSender() {
    JavalinTest.test(
        app(Map.of("RATE_LIMIT_KEY", "ip", "RATE_LIMIT_PER_SECOND", "1", "RATE_LIMIT_BURST", "2")).create(),
        (server, client) -> {
          assertThat(post(server.port(), "/votes", "{\"name\":").statusCode()).isEqualTo(400);
          assertThat(post(server.port(), "/votes/batch", "[1,").statusCode()).isEqualTo(400);
          HttpResponse<String> limited = post(server.port(), "/votes", VOTE.formatted(""));
          assertThat(limited.statusCode()).as("two malformed bodies spent the burst of 2").isEqualTo(429);
          assertThat(publisher.nothingPublished()).isTrue();
        });
  }

  @Test
  void aLargeBodyIsChargedByItsSizeBeforeItIsParsed() {
    JavalinTest.test(
        app(Map.of("RATE_LIMIT_KEY", "ip", "RATE_LIMIT_PER_SECOND", "1", "RATE_LIMIT_BURST", "10")).create(),
        (server, client) -> {
          // 5 KiB of garbage: 5 tokens, though it holds no vote
          String garbage = "[" + "x".repeat(5 * 1_024 - 1);
          assertThat(post(server.port(), "/votes/batch", garbage).statusCode()).isEqualTo(400);
          String vote = VOTE.formatted("");
          String six = "[" + String.join(",", java.util.Collections.nCopies(6, vote)) + "]";
          assertThat(post(server.port(), "/votes/batch", six).statusCode()).as("6 votes, 5 tokens left").isEqualTo(429);
          assertThat(publisher.nothingPublished()).isTrue();
        });
  }

  @Test
  void ipv6ClientsBehindTheIngressAreKeyedByTheirSlash64() {
    JavalinTest.test(
        app(Map.of("RATE_LIMIT_KEY", "ip", "RATE_LIMIT_BURST", "1", "TRUSTED_PROXIES", "127.0.0.1, ::1")).create(),
        (server, client) -> {
          String vote = VOTE.formatted("");
          assertThat(post(server.port(), "/votes", vote, "X-Forwarded-For", "2001:db8:7:1::1").statusCode()).isEqualTo(202);
          // the same subscriber's next address gets no fresh bucket; another /64 does
          assertThat(post(server.port(), "/votes", vote, "X-Forwarded-For", "2001:db8:7:1::2").statusCode()).isEqualTo(429);
          assertThat(post(server.port(), "/votes", vote, "X-Forwarded-For", "2001:db8:7:2::1").statusCode()).isEqualTo(202);
        });
  }

  @Test
  void aVoterIdKeyIsNfcNormalised() {
    JavalinTest.test(
        app(Map.of("RATE_LIMIT_KEY", "voterId", "RATE_LIMIT_PER_SECOND", "1", "RATE_LIMIT_BURST", "1")).create(),
        (server, client) -> {
          assertThat(post(server.port(), "/votes", VOTE.formatted(",\"voterId\":\"Jos\u00e9\"")).statusCode()).isEqualTo(202);
          // the same voter, decomposed (e + combining acute), as the validator will store it
          assertThat(post(server.port(), "/votes", VOTE.formatted(",\"voterId\":\"Jose\u0301\"")).statusCode()).isEqualTo(429);
        });
  }
}
