package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.WriteConcern;
import gt.quetzal.kit.EnvReader;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinksConfigTest {

  @Test
  void defaultsFitTheLocalStack() {
    SinksConfig config = SinksConfig.fromEnv(Map.of());

    assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.redisUrl()).isEqualTo(URI.create("redis://localhost:6379"));
    assertThat(config.mongoUri()).isEqualTo("mongodb://localhost:27017");
    assertThat(config.httpPort()).isEqualTo(8082);
    assertThat(config.redisGroupId()).isEqualTo("quetzal-sinks-redis");
    assertThat(config.mongoGroupId()).isEqualTo("quetzal-sinks-mongo");
    assertThat(config.writeConcern()).isEqualTo(WriteConcern.MAJORITY);
    assertThat(config.redisBatchSize()).isEqualTo(5_000);
    assertThat(config.mongoBatchSize()).isEqualTo(1_000);
    assertThat(config.backoffMin()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.backoffMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.timelineMaxMinutes()).isEqualTo(1_440);
    assertThat(config.redisGroupInstanceId()).as("dynamic membership by default").isNull();
  }

  @Test
  void readsEveryVariable() {
    SinksConfig config =
        SinksConfig.fromEnv(
            Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092,kafka-1:9092"),
                Map.entry("REDIS_URL", "rediss://sinks:s3cret@redis.example:6380/2"),
                Map.entry("MONGO_URI", "mongodb://a:27017,b:27017/?replicaSet=rs0"),
                Map.entry("HTTP_PORT", "0"),
                Map.entry("GROUP_ID", "blue"),
                Map.entry("GROUP_INSTANCE_ID", "sinks-0"),
                Map.entry("MONGO_WRITE_CONCERN", "2"),
                Map.entry("REDIS_BATCH_SIZE", "10000"),
                Map.entry("MONGO_BATCH_SIZE", "500"),
                Map.entry("BACKOFF_MIN_MS", "50"),
                Map.entry("BACKOFF_MAX_MS", "2000"),
                Map.entry("TIMELINE_MAX_MINUTES", "720")));

    assertThat(config.bootstrapServers()).isEqualTo("kafka-0:9092,kafka-1:9092");
    assertThat(config.redisUrl().getScheme()).isEqualTo("rediss");
    assertThat(config.redisUrl().getUserInfo()).isEqualTo("sinks:s3cret");
    assertThat(config.mongoUri()).isEqualTo("mongodb://a:27017,b:27017/?replicaSet=rs0");
    assertThat(config.httpPort()).isZero();
    assertThat(config.redisGroupId()).isEqualTo("blue-redis");
    assertThat(config.redisGroupInstanceId()).isEqualTo("sinks-0-redis");
    assertThat(config.mongoGroupInstanceId()).isEqualTo("sinks-0-mongo");
    assertThat(config.writeConcern()).isEqualTo(new WriteConcern(2));
    assertThat(config.redisBatchSize()).isEqualTo(10_000);
    assertThat(config.mongoBatchSize()).isEqualTo(500);
    assertThat(config.backoffMin()).isEqualTo(Duration.ofMillis(50));
    assertThat(config.backoffMax()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.timelineMaxMinutes()).isEqualTo(720);
  }

  @Test
  void theEnvReaderSeamKnowsEveryVariableTheSinksRead() {
    EnvReader env = new EnvReader(Map.of());
    SinksConfig.fromEnv(env);
    assertThat(env.consulted())
        .contains("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "MONGO_URI", "HTTP_PORT", "GROUP_ID", "GROUP_INSTANCE_ID", "MONGO_WRITE_CONCERN",
            "REDIS_BATCH_SIZE", "MONGO_BATCH_SIZE", "BACKOFF_MIN_MS", "BACKOFF_MAX_MS", "TIMELINE_MAX_MINUTES");
  }

  @Test
  void redisCredentialsWithoutAColonAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> SinksConfig.fromEnv(Map.of("REDIS_URL", "redis://hunter2@redis:6379")))
        .isInstanceOfSatisfying(
            EnvReader.ConfigException.class,
            e -> assertThat(String.join("\n", e.problems())).contains("REDIS_URL").doesNotContain("hunter2"));
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(
            () ->
                SinksConfig.fromEnv(
                    Map.of(
                        "REDIS_URL", "http://localhost:6379",
                        "MONGO_URI", "postgres://x",
                        "HTTP_PORT", "99999",
                        "MONGO_WRITE_CONCERN", "0",
                        "REDIS_BATCH_SIZE", "lots",
                        "BACKOFF_MIN_MS", "3000",
                        "BACKOFF_MAX_MS", "1000",
                        "TIMELINE_MAX_MINUTES", "1")))
        .isInstanceOfSatisfying(
            EnvReader.ConfigException.class,
            e ->
                assertThat(String.join("\n", e.problems()))
                    .contains("REDIS_URL")
                    .contains("MONGO_URI")
                    .contains("HTTP_PORT")
                    .contains("MONGO_WRITE_CONCERN")
                    .contains("REDIS_BATCH_SIZE")
                    .contains("BACKOFF_MAX_MS")
                    .contains("TIMELINE_MAX_MINUTES"));
  }

  @Test
  void writeConcernAcceptsMajorityOrANodeCountOnly() {
    assertThat(SinksConfig.parseWriteConcern("MAJORITY")).isEqualTo(WriteConcern.MAJORITY);
    assertThat(SinksConfig.parseWriteConcern("1")).isEqualTo(WriteConcern.W1);
    assertThat(SinksConfig.parseWriteConcern("0")).isNull();
    assertThat(SinksConfig.parseWriteConcern("unacknowledged")).isNull();
  }

  @Test
  void toStringHidesCredentials() {
    SinksConfig config =
        SinksConfig.fromEnv(
            Map.of(
                "REDIS_URL", "redis://default:hunter2@redis:6379",
                "MONGO_URI", "mongodb://app:pa55@m1:27017,m2:27017/quetzal"));

    assertThat(config.toString())
        .doesNotContain("hunter2")
        .doesNotContain("pa55")
        .contains("redis://***@redis:6379")
        .contains("mongodb://***@m1:27017,m2:27017/quetzal");
  }
}
