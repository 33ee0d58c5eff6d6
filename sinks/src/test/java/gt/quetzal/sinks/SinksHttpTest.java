package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.testtools.JavalinTest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinksHttpTest {

  private record Status(String store, boolean alive, boolean crashed, boolean storeUp) implements SinkStatus {}

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void readyWhenBothLoopsRunAndBothStoresAnswer() {
    SinksHttp http =
        new SinksHttp(registry, List.of(new Status("redis", true, false, true), new Status("mongo", true, false, true)));
    JavalinTest.test(
        http.create(),
        (server, client) -> {
          assertThat(client.get("/healthz").code()).isEqualTo(200);
          assertThat(client.get("/healthz").body().string()).isEqualTo("ok");
          var ready = client.get("/readyz");
          assertThat(ready.code()).isEqualTo(200);
          assertThat(ready.body().string()).contains("\"status\":\"ready\"");
        });
  }

  @Test
  void notReadyNamesTheUnreachableStoreButStaysLive() {
    SinksHttp http =
        new SinksHttp(registry, List.of(new Status("redis", true, false, true), new Status("mongo", true, false, false)));
    JavalinTest.test(
        http.create(),
        (server, client) -> {
          var ready = client.get("/readyz");
          assertThat(ready.code()).isEqualTo(503);
          assertThat(ready.body().string()).contains("mongo is unreachable").doesNotContain("redis");
          assertThat(client.get("/healthz").code()).isEqualTo(200);
        });
  }

  @Test
  void aCrashedLoopFailsLiveness() {
    SinksHttp http =
        new SinksHttp(registry, List.of(new Status("redis", false, true, true), new Status("mongo", true, false, true)));
    JavalinTest.test(
        http.create(),
        (server, client) -> {
          var health = client.get("/healthz");
          assertThat(health.code()).isEqualTo(503);
          assertThat(health.body().string()).contains("redis sink loop crashed");
          assertThat(client.get("/readyz").body().string()).contains("redis sink loop is not running");
        });
  }

  @Test
  void metricsAreServedInPrometheusText() {
    Gauge.builder("quetzal.sink.store.up", () -> 1).tag("store", "redis").register(registry);
    SinksHttp http = new SinksHttp(registry, List.of());
    JavalinTest.test(
        http.create(),
        (server, client) -> {
          var metrics = client.get("/metrics");
          assertThat(metrics.code()).isEqualTo(200);
          assertThat(metrics.headers().get("Content-Type").get(0)).startsWith("text/plain");
          assertThat(metrics.body().string()).contains("quetzal_sink_store_up{store=\"redis\"} 1.0");
        });
  }
}
