package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialCheckTest {

  private static final String URI = "redis://app:hunter2@redis:6379";

  @Test
  void aStoreThatAnswersPasses() {
    assertThat(CredentialCheck.ping("REDIS_URL", URI, () -> {}, e -> "refused")).isNull();
  }

  @Test
  void aRefusalStopsTheStartNamingTheVariableButNotThePassword() {
    assertThatThrownBy(
            () ->
                CredentialCheck.ping(
                    "REDIS_URL",
                    URI,
                    () -> {
                      throw new IllegalArgumentException("WRONGPASS invalid username-password pair");
                    },
                    Redact::redisRefusal))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("REDIS_URL: redis://***@redis:6379 refused the credentials")
        .hasMessageContaining("WRONGPASS")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void anyOtherFailureIsHandedBackAsAnOutage() {
    RuntimeException down = new IllegalStateException("connection refused");
    assertThat(
            CredentialCheck.ping(
                "REDIS_URL",
                URI,
                () -> {
                  throw down;
                },
                Redact::redisRefusal))
        .isSameAs(down);
  }
}
