package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.JavalinTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import io.javalin.testtools.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one shape of the probes and the metrics, as every service serves them. */
class OpsEndpointsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrometheusMeterRegistry registry = ServiceMetrics.prometheus();
  private final AtomicReference<Health> live = new AtomicReference<>(Health.OK);
  private final AtomicReference<Health> ready = new AtomicReference<>(Health.OK);
  private final ExecutorService answers =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "answers"));

  @AfterEach
  void stop() {
    answers.shutdownNow();
    registry.close();
  }

  private OpsEndpoints sync() {
    return OpsEndpoints.of(registry, live::get, ready::get);
  }

  private static String contentType(Response response) {
    return response.headers().get("Content-Type").get(0);
  }

  private static JsonNode json(Response response) throws Exception {
    assertThat(contentType(response)).startsWith("application/json");
    return JSON.readTree(response.body().string());
  }

  @Test
  void liveIsPlainOkAndDownIsJsonWithTheReasons() {
    JavalinTest.test(
        sync().create(),
        (server, client) -> {
          Response ok = client.get("/healthz");
          assertThat(ok.code()).isEqualTo(200);
          assertThat(contentType(ok)).startsWith("text/plain");
          assertThat(ok.body().string()).isEqualTo("ok");

          live.set(Health.down("redis sink loop crashed").with("state", "ERROR"));
          Response down = client.get("/healthz");
          assertThat(down.code()).isEqualTo(503);
          JsonNode body = json(down);
          assertThat(body.toString())
              .isEqualTo("{\"status\":\"down\",\"reasons\":[\"redis sink loop crashed\"],\"state\":\"ERROR\"}");
        });
  }

  @Test
  void readyAndNotReadyHaveOneShapeWithTheCheckersDetails() {
    ready.set(Health.OK.with("state", "RUNNING"));
    JavalinTest.test(
        sync().create(),
        (server, client) -> {
          Response up = client.get("/readyz");
          assertThat(up.code()).isEqualTo(200);
          assertThat(json(up).toString()).isEqualTo("{\"status\":\"ready\",\"reasons\":[],\"state\":\"RUNNING\"}");

          ready.set(Health.of(List.of("redis is unreachable", "mongo is unreachable")));
          Response down = client.get("/readyz");
          assertThat(down.code()).isEqualTo(503);
          assertThat(json(down).toString())
              .isEqualTo("{\"status\":\"not ready\",\"reasons\":[\"redis is unreachable\",\"mongo is unreachable\"]}");
          assertThat(client.get("/healthz").code()).as("not ready is not dead").isEqualTo(200);
        });
  }

  @Test
  void aCheckThatThrowsIsAFailedCheckNotA500() {
    OpsEndpoints ops =
        OpsEndpoints.of(
            registry,
            () -> {
              throw new IllegalStateException("boom");
            },
            () -> {
              throw new IllegalStateException("bang");
            });
    JavalinTest.test(
        ops.create(),
        (server, client) -> {
          Response health = client.get("/healthz");
          assertThat(health.code()).isEqualTo(503);
          assertThat(json(health).path("reasons").get(0).asText()).contains("boom");
          Response ready = client.get("/readyz");
          assertThat(ready.code()).isEqualTo(503);
          assertThat(json(ready).path("reasons").get(0).asText()).contains("the check failed").contains("bang");
        });
  }

  @Test
  void anAsyncCheckIsAnsweredOnTheGivenExecutorAndItsFailureIsNamed() {
    AtomicReference<String> answeredOn = new AtomicReference<>();
    AtomicReference<CompletableFuture<Health>> next = new AtomicReference<>();
    OpsEndpoints ops =
        OpsEndpoints.async(
            registry,
            () -> Health.OK,
            () -> next.get().whenComplete((h, e) -> {}),
            command -> answers.execute(() -> {
              answeredOn.set(Thread.currentThread().getName());
              command.run();
            }));
    JavalinTest.test(
        ops.create(),
        (server, client) -> {
          next.set(CompletableFuture.supplyAsync(() -> Health.OK.with("kafka", "votes.raw reachable")));
          Response up = client.get("/readyz");
          assertThat(up.code()).isEqualTo(200);
          assertThat(json(up).path("kafka").asText()).isEqualTo("votes.raw reachable");
          assertThat(answeredOn.get()).isEqualTo("answers");

          next.set(CompletableFuture.failedFuture(new IllegalStateException("no broker")));
          Response down = client.get("/readyz");
          assertThat(down.code()).isEqualTo(503);
          JsonNode body = json(down);
          assertThat(body.path("status").asText()).isEqualTo("not ready");
          assertThat(body.path("reasons").get(0).asText()).contains("no broker");
        });
  }

  @Test
  void metricsArePrometheusTextWithTheJvmAndProcessMeters() {
    Counter.builder("quetzal.kit.test").register(registry).increment(3);
    JavalinTest.test(
        sync().create(),
        (server, client) -> {
          Response metrics = client.get("/metrics");
          assertThat(metrics.code()).isEqualTo(200);
          assertThat(contentType(metrics)).isEqualTo(OpsEndpoints.PROMETHEUS_TEXT);
          assertThat(metrics.body().string())
              .contains("quetzal_kit_test_total 3.0")
              .contains("jvm_memory_used_bytes")
              .contains("jvm_threads_live_threads")
              .contains("process_cpu_usage")
              .contains("process_uptime_seconds");
        });
  }

  @Test
  void probesAndMetricsCanBeAddedApart() {
    JavalinTest.test(
        io.javalin.Javalin.create(cfg -> sync().addProbes(cfg)),
        (server, client) -> {
          assertThat(client.get("/healthz").code()).isEqualTo(200);
          assertThat(client.get("/readyz").code()).isEqualTo(200);
          assertThat(client.get("/metrics").code()).isEqualTo(404);
        });
  }
}
