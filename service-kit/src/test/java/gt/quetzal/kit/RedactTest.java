package gt.quetzal.kit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactTest {

  @Test
  void hidesUserAndPasswordOfEveryShapeOfUri() {
    assertThat(Redact.uri("redis://:hunter2@redis:6379/2")).isEqualTo("redis://***@redis:6379/2");
    assertThat(Redact.uri("rediss://web:hunter2@redis:6380")).isEqualTo("rediss://***@redis:6380");
    // Multi-host: java.net.URI cannot parse it, the pattern still can.
    assertThat(Redact.uri("mongodb://quetzal:p%40ss@m-0:27017,m-1:27017/?replicaSet=rs0"))
        .isEqualTo("mongodb://***@m-0:27017,m-1:27017/?replicaSet=rs0");
    // A raw '/' or '@' in a password (not percent-encoded, as people write them) is hidden whole.
    assertThat(Redact.uri("redis://:pa/ss@redis:6379/0")).isEqualTo("redis://***@redis:6379/0");
    assertThat(Redact.uri("mongodb://quetzal:a@b/c@mongodb:27017/?authSource=admin"))
        .isEqualTo("mongodb://***@mongodb:27017/?authSource=admin");
    // An '@' in the path cannot be told from one in a password: hiding too much is the safe side.
    assertThat(Redact.uri("mongodb://mongodb:27017/x@y")).isEqualTo("mongodb://***@y");
    assertThat(Redact.uri("mongodb://mongodb:27017/?tag=a@b")).isEqualTo("mongodb://mongodb:27017/?tag=a@b");
    assertThat(Redact.uri("redis://localhost:6379")).isEqualTo("redis://localhost:6379");
  }

  @Test
  void aRejectionNamesTheVariableAndNeverThePassword() {
    String message = Redact.credentialsRejected("REDIS_URL", "redis://web:hunter2@redis:6379", "WRONGPASS invalid");
    assertThat(message).startsWith("REDIS_URL: redis://***@redis:6379 refused")
        .contains("WRONGPASS invalid").doesNotContain("hunter2");
  }

  @Test
  void redisRefusalsAreToldApartFromOutages() {
    Exception wrapped = new RuntimeException("Failed to connect", new IllegalStateException("WRONGPASS invalid username-password pair"));
    assertThat(Redact.redisRefusal(wrapped)).isEqualTo("WRONGPASS invalid username-password pair");
    assertThat(Redact.redisRefusal(new RuntimeException("NOAUTH Authentication required."))).startsWith("NOAUTH");
    assertThat(Redact.redisRefusal(new RuntimeException("java.net.ConnectException: Connection refused"))).isNull();
    assertThat(Redact.redisRefusal(new RuntimeException((String) null))).isNull();
  }
}
