package gt.quetzal.streams.runtime;

import gt.quetzal.streams.topology.TopologyOptions;
import gt.quetzal.streams.topology.VoterPolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsAppConfigTest {

  @Test
  void defaultsFitTheLocalStack() {
    StreamsAppConfig config = StreamsAppConfig.fromEnv(Map.of());

    assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.applicationId()).isEqualTo("quetzal-streams");
    assertThat(config.stateDir())
        .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "quetzal-streams"));
    assertThat(config.httpPort()).isEqualTo(8081);
    assertThat(config.applicationServer()).isEqualTo("localhost:8081");
    assertThat(config.groupInstanceId()).isNull();
    assertThat(config.numStandbyReplicas()).isZero();
    assertThat(config.numStreamThreads()).isEqualTo(1);
    assertThat(config.commitIntervalMs()).isEqualTo(50);
    assertThat(config.cacheMaxBytes()).isEqualTo(1024 * 1024);
    assertThat(config.rocksDbCacheBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(config.dedupRetention()).isEqualTo(Duration.ofHours(1));
    assertThat(config.windowGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.timelineRetention()).isEqualTo(Duration.ofDays(7));
    assertThat(config.leaderboardSize()).isEqualTo(10);
    assertThat(config.topologyOptions()).isEqualTo(TopologyOptions.defaults());
  }

  @Test
  void everyVariableIsRead() {
    StreamsAppConfig config =
        StreamsAppConfig.fromEnv(
            Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092,kafka-1:9092"),
                Map.entry("APPLICATION_ID", "quetzal-streams-test"),
                Map.entry("STATE_DIR", "/var/lib/quetzal"),
                Map.entry("HTTP_PORT", "9001"),
                Map.entry("APPLICATION_SERVER", "streams-0.streams:9001"),
                Map.entry("GROUP_INSTANCE_ID", "streams-0"),
                Map.entry("NUM_STANDBY_REPLICAS", "1"),
                Map.entry("NUM_STREAM_THREADS", "2"),
                Map.entry("COMMIT_INTERVAL_MS", "250"),
                Map.entry("CACHE_MAX_BYTES", "0"),
                Map.entry("ROCKSDB_CACHE_BYTES", "16777216"),
                Map.entry("DEDUP_RETENTION_MS", "60000"),
                Map.entry("WINDOW_GRACE_MS", "5000"),
                Map.entry("TIMELINE_RETENTION_MS", "86400000"),
                Map.entry("LEADERBOARD_SIZE", "3"),
                Map.entry("VOTER_POLICY", "Per-Band")));

    assertThat(config)
        .isEqualTo(
            new StreamsAppConfig(
                "kafka-0:9092,kafka-1:9092",
                "quetzal-streams-test",
                Path.of("/var/lib/quetzal"),
                9001,
                "streams-0.streams:9001",
                "streams-0",
                1,
                2,
                250,
                0,
                16 * 1024 * 1024,
                Duration.ofMinutes(1),
                Duration.ofSeconds(5),
                Duration.ofDays(1),
                3,
                VoterPolicy.PER_BAND));
    assertThat(config.topologyOptions())
        .isEqualTo(
            new TopologyOptions(
                Duration.ofMinutes(1),
                Duration.ofSeconds(5),
                Duration.ofDays(1),
                Duration.ofMillis(250),
                VoterPolicy.PER_BAND));
  }

  @Test
  void anUnknownVoterPolicyIsAConfigurationError() {
    assertThatThrownBy(() -> StreamsAppConfig.fromEnv(Map.of("VOTER_POLICY", "per-voter")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("VOTER_POLICY=per-voter must be one of off, per-band, per-contest");
  }

  @Test
  void theRetiredCatalogFileVariableFailsTheStartSayingWhereTheContestLivesNow() {
    assertThatThrownBy(() -> StreamsAppConfig.fromEnv(Map.of("CATALOG_FILE", "config/catalog.json")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("CATALOG_FILE=config/catalog.json is no longer read")
        .hasMessageContaining("./quetzal contest apply config/catalog.json");
  }


  @Test
  void theTimelineMustOutliveTheGrace() {
    assertThatThrownBy(
            () ->
                StreamsAppConfig.fromEnv(
                    Map.of("WINDOW_GRACE_MS", "600000", "TIMELINE_RETENTION_MS", "300000")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("TIMELINE_RETENTION_MS=300000 must cover one minute plus WINDOW_GRACE_MS");
  }

  @Test
  void applicationServerFollowsTheHttpPortUnlessItIsEphemeral() {
    assertThat(StreamsAppConfig.fromEnv(Map.of("HTTP_PORT", "9100")).applicationServer())
        .isEqualTo("localhost:9100");
    assertThat(StreamsAppConfig.fromEnv(Map.of("HTTP_PORT", "0")).applicationServer()).isNull();
  }

  @Test
  void everyBadVariableIsNamedAtOnce() {
    assertThatThrownBy(
            () ->
                StreamsAppConfig.fromEnv(
                    Map.ofEntries(
                        Map.entry("APPLICATION_ID", "quetzal streams"),
                        Map.entry("HTTP_PORT", "http"),
                        Map.entry("APPLICATION_SERVER", "no-port"),
                        Map.entry("NUM_STANDBY_REPLICAS", "-1"),
                        Map.entry("COMMIT_INTERVAL_MS", "0"),
                        Map.entry("CACHE_MAX_BYTES", "lots"),
                        Map.entry("DEDUP_RETENTION_MS", "10"),
                        Map.entry("WINDOW_GRACE_MS", "-1"),
                        Map.entry("LEADERBOARD_SIZE", "0"),
                        Map.entry("ROCKSDB_CACHE_BYTES", "1"),
                        Map.entry("GROUP_INSTANCE_ID", "pod 0"))))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageStartingWith("streams-app configuration is invalid")
        .satisfies(
            e ->
                assertThat(((EnvReader.ConfigException) e).problems())
                    .hasSize(11)
                    .anySatisfy(p -> assertThat(p).startsWith("APPLICATION_ID="))
                    .anySatisfy(p -> assertThat(p).startsWith("HTTP_PORT="))
                    .anySatisfy(p -> assertThat(p).startsWith("APPLICATION_SERVER="))
                    .anySatisfy(p -> assertThat(p).startsWith("NUM_STANDBY_REPLICAS="))
                    .anySatisfy(p -> assertThat(p).startsWith("COMMIT_INTERVAL_MS="))
                    .anySatisfy(p -> assertThat(p).startsWith("CACHE_MAX_BYTES="))
                    .anySatisfy(p -> assertThat(p).startsWith("DEDUP_RETENTION_MS="))
                    .anySatisfy(p -> assertThat(p).startsWith("WINDOW_GRACE_MS="))
                    .anySatisfy(p -> assertThat(p).startsWith("LEADERBOARD_SIZE="))
                    .anySatisfy(p -> assertThat(p).startsWith("ROCKSDB_CACHE_BYTES="))
                    .anySatisfy(p -> assertThat(p).startsWith("GROUP_INSTANCE_ID=")));
  }

  @Test
  void propertiesRunExactlyOnceV2WithTheConfiguredValues() {
    StreamsAppConfig config =
        StreamsAppConfig.fromEnv(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "broker:29092",
                "STATE_DIR", "/data/streams",
                "APPLICATION_SERVER", "pod-1.streams:8081",
                "NUM_STANDBY_REPLICAS", "1",
                "COMMIT_INTERVAL_MS", "200",
                "CACHE_MAX_BYTES", "2048",
                "NUM_STREAM_THREADS", "2",
                "GROUP_INSTANCE_ID", "streams-1",
                "ROCKSDB_CACHE_BYTES", "33554432"));

    Properties props = StreamsConfigFactory.properties(config);

    assertThat(props)
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "quetzal-streams")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:29092")
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, "/data/streams")
        .containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG, "pod-1.streams:8081")
        .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1")
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200")
        .containsEntry(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "2048")
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2")
        .containsEntry("group.instance.id", "streams-1")
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1")
        .containsEntry("producer.batch.size", "131072")
        .containsEntry(
            StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDBConfig.class.getName())
        .containsEntry(BoundedMemoryRocksDBConfig.CACHE_BYTES_CONFIG, "33554432")
        .containsEntry(
            BoundedMemoryRocksDBConfig.POOL_CONFIG,
            "quetzal-streams@" + Path.of("/data/streams").toAbsolutePath())
        .doesNotContainKeys(
            StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG);
    // Kafka accepts them as they are (types, ranges, application.server format).
    StreamsConfig parsed = new StreamsConfig(props);
    assertThat(parsed.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
    assertThat(parsed.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(200L);
    assertThat(parsed.getClass(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo(BoundedMemoryRocksDBConfig.class);
    // Static membership reaches the main consumer, one id per stream thread.
    assertThat(parsed.getMainConsumerConfigs("g", "c", 0)).containsEntry("group.instance.id", "streams-1-0");
  }

  @Test
  void noApplicationServerIsAdvertisedWhenUnknown() {
    Properties props =
        StreamsConfigFactory.properties(StreamsAppConfig.fromEnv(Map.of("HTTP_PORT", "0")));
    assertThat(props).doesNotContainKey(StreamsConfig.APPLICATION_SERVER_CONFIG);
    assertThat(new StreamsConfig(props).getString(StreamsConfig.APPLICATION_SERVER_CONFIG)).isEmpty();
  }
}
