package gt.quetzal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebConfigTest {

  @Test
  void defaultsFitTheLocalStack() {
    WebConfig config = WebConfig.fromEnv(Map.of());
    assertThat(config.redisUrl()).isEqualTo(URI.create("redis://localhost:6379"));
    assertThat(config.mongoUri()).isEqualTo("mongodb://localhost:27017");
    assertThat(config.httpPort()).isEqualTo(8088);
    assertThat(config.opsPort()).isEmpty();
    assertThat(config.sse()).isEqualTo(new SseLimits(8, 500, Duration.ofSeconds(5)));
  }

  @Test
  void readsTheLivePageCaps() {
    WebConfig config =
        WebConfig.fromEnv(
            Map.of("SSE_MAX_PER_ADDRESS", "3", "SSE_MAX_CLIENTS", "40", "SSE_WRITE_TIMEOUT_MS", "750"));
    assertThat(config.sse()).isEqualTo(new SseLimits(3, 40, Duration.ofMillis(750)));
  }

  @Test
  void namesEveryBadLivePageCap() {
    assertThatThrownBy(
            () -> WebConfig.fromEnv(
                Map.of("SSE_MAX_PER_ADDRESS", "0", "SSE_MAX_CLIENTS", "many", "SSE_WRITE_TIMEOUT_MS", "5")))
        .isInstanceOfSatisfying(
            EnvReader.ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "SSE_MAX_PER_ADDRESS=0 is outside 1..10000",
                        "SSE_MAX_CLIENTS=many is not an integer",
                        "SSE_WRITE_TIMEOUT_MS=5 is outside 100..60000"));
  }

  @Test
  void opsPortIsOptionalAndMustDifferFromTheHttpPort() {
    assertThat(WebConfig.fromEnv(Map.of("OPS_PORT", "8089")).opsPort()).hasValue(8089);
    assertThat(WebConfig.fromEnv(Map.of("HTTP_PORT", "0", "OPS_PORT", "0")).opsPort()).hasValue(0);
    assertThatThrownBy(() -> WebConfig.fromEnv(Map.of("HTTP_PORT", "8088", "OPS_PORT", "8088")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("OPS_PORT=8088 must differ from HTTP_PORT");
    assertThatThrownBy(() -> WebConfig.fromEnv(Map.of("OPS_PORT", "metrics")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("OPS_PORT=metrics is not an integer");
  }

  @Test
  void readsOverrides() {
    WebConfig config =
        WebConfig.fromEnv(
            Map.of(
                "REDIS_URL", "rediss://web:pw@redis:6380",
                "MONGO_URI", "mongodb+srv://cluster.example/quetzal",
                "HTTP_PORT", "0"));
    assertThat(config.redisUrl().getScheme()).isEqualTo("rediss");
    assertThat(config.mongoUri()).isEqualTo("mongodb+srv://cluster.example/quetzal");
    assertThat(config.httpPort()).isZero();
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(
            () -> WebConfig.fromEnv(Map.of("REDIS_URL", "tcp://x", "MONGO_URI", "nope", "HTTP_PORT", "-1")))
        .isInstanceOfSatisfying(
            EnvReader.ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(3)
                    .anyMatch(p -> p.contains("REDIS_URL"))
                    .anyMatch(p -> p.contains("MONGO_URI"))
                    .anyMatch(p -> p.contains("HTTP_PORT")));
  }

  @Test
  void toStringHidesCredentials() {
    WebConfig config =
        WebConfig.fromEnv(Map.of("REDIS_URL", "redis://u:hunter2@r:6379", "MONGO_URI", "mongodb://a:pa55@m:27017"));
    assertThat(config.toString()).doesNotContain("hunter2").doesNotContain("pa55").contains("redis://***@r:6379");
  }

  @Test
  void credentialsWithoutAColonAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> WebConfig.fromEnv(Map.of("REDIS_URL", "redis://hunter2@redis:6379")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("REDIS_URL credentials must be ':password' or 'user:password'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }
}
