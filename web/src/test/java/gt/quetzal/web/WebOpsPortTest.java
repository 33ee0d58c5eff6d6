package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OPS_PORT on real sockets: the public port (what the Ingress routes) serves the page and the API but
 * no operational endpoint; the ops port serves those and nothing public.
 */
class WebOpsPortTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Javalin publicServer;
  private Javalin opsServer;

  @BeforeEach
  void start() {
    WebApp app = Fakes.app(new Fakes.Standings(Fakes.threeBands()), new Fakes.Log());
    opsServer = app.createOps().start(0);
    publicServer = app.createPublic().start(0);
  }

  @AfterEach
  void stop() {
    if (publicServer != null) {
      publicServer.stop();
    }
    if (opsServer != null) {
      opsServer.stop();
    }
  }

  private static HttpResponse<String> get(Javalin server, String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsAndProbesAreOnlyOnTheOpsPort() throws Exception {
    assertThat(get(publicServer, "/metrics").statusCode()).isEqualTo(404);
    assertThat(get(publicServer, "/readyz").statusCode()).isEqualTo(404);
    assertThat(get(publicServer, "/healthz").statusCode()).isEqualTo(404);

    HttpResponse<String> metrics = get(opsServer, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("quetzal_web_backend_errors_total");
    assertThat(get(opsServer, "/healthz").body()).isEqualTo("ok");
    assertThat(get(opsServer, "/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void thePageAndTheApiAreOnlyOnThePublicPort() throws Exception {
    assertThat(get(publicServer, "/api/standings").statusCode()).isEqualTo(200);
    assertThat(get(publicServer, "/").body()).containsIgnoringCase("<!doctype html");

    assertThat(get(opsServer, "/api/standings").statusCode()).isEqualTo(404);
    assertThat(get(opsServer, "/").statusCode()).isEqualTo(404);
  }

  @Test
  void withoutAnOpsPortOneServerServesBoth() throws Exception {
    Javalin single = Fakes.app(new Fakes.Standings(Fakes.threeBands()), new Fakes.Log()).create().start(0);
    try {
      assertThat(get(single, "/metrics").statusCode()).isEqualTo(200);
      assertThat(get(single, "/api/standings").statusCode()).isEqualTo(200);
    } finally {
      single.stop();
    }
  }
}
