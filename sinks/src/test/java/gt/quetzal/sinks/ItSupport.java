package gt.quetzal.sinks;

import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Topic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/** Shared plumbing for the sinks' ITs: producing with checked acks, config, and HTTP probes. */
final class ItSupport {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ItSupport() {}

  static <K, V> KafkaProducer<K, V> producer(String bootstrap, Topic<K, V> topic) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // One batch in flight per partition: right after the devstack created its topics a loaded machine may
    // answer NOT_LEADER_OR_FOLLOWER while still appending, and with several batches in flight the retried
    // first one can fall out of the broker's 5-batch dedup window (OUT_OF_ORDER_SEQUENCE_NUMBER until the
    // delivery timeout). With one, a retried batch that did land is recognised as a duplicate.
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  /** Sends and waits for the broker's ack: a silently failed send would make every assertion meaningless. */
  static <K, V> void send(KafkaProducer<K, V> producer, Topic<K, V> topic, K key, V value) {
    try {
      producer.send(new ProducerRecord<>(topic.name(), key, value)).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("send to " + topic.name() + " failed", e);
    }
  }

  /** Sinks config on the given stores, a fresh consumer group prefix, any free HTTP port, quick retries. */
  static SinksConfig config(String bootstrap, String redisUrl, String mongoUri) {
    return SinksConfig.fromEnv(
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
            "REDIS_URL", redisUrl,
            "MONGO_URI", mongoUri,
            "HTTP_PORT", "0",
            "GROUP_ID", "it-" + UUID.randomUUID(),
            // The stand-in is a single node: majority is what we ship, and it must work there too.
            "MONGO_WRITE_CONCERN", "majority",
            "BACKOFF_MIN_MS", "50",
            "BACKOFF_MAX_MS", "500"));
  }

  /** The same, in a given consumer group prefix: replicas of one deployment share it. */
  static SinksConfig config(String bootstrap, String redisUrl, String mongoUri, String groupId) {
    return SinksConfig.fromEnv(
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
            "REDIS_URL", redisUrl,
            "MONGO_URI", mongoUri,
            "HTTP_PORT", "0",
            "GROUP_ID", groupId,
            "MONGO_WRITE_CONCERN", "majority",
            "BACKOFF_MIN_MS", "50",
            "BACKOFF_MAX_MS", "500"));
  }

  record HttpResult(int status, String body) {}

  static HttpResult get(int port, String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new HttpResult(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Every {@code quetzal:*} key as comparable values: a hash as a sorted map, a stream as its entries in
   * order (ID → fields in stored order, so a field order that differs between runs shows), anything else
   * by type. Guard hashes and the sinks' own keys (positions, topic ids) are left out unless asked for; {@code updatedAt} is left out of the stats hash
   * unless asked for, since a replay into an empty Redis rightly stamps a new time.
   */
  static Map<String, Object> redisState(UnifiedJedis redis, boolean withGuards, boolean withUpdatedAt) {
    Map<String, Object> state = new TreeMap<>();
    for (String key : redis.keys("quetzal:*")) {
      // The guards and the sink's positions are its bookkeeping, not the mirror.
      if (!withGuards && (key.startsWith(RedisKeys.GUARD_PREFIX) || key.startsWith(RedisKeys.SINK_PREFIX))) {
        continue;
      }
      String type = redis.type(key);
      switch (type) {
        case "hash" -> {
          TreeMap<String, String> fields = new TreeMap<>(redis.hgetAll(key));
          if (!withUpdatedAt && key.equals(RedisKeys.STATS)) {
            fields.remove(RedisKeys.STAT_UPDATED_AT);
          }
          state.put(key, fields);
        }
        case "stream" -> state.put(key, streamEntries(redis, key));
        default -> state.put(key, type);
      }
    }
    return state;
  }

  /** A stream's entries, ID → fields in the order Redis stores them (Jedis' own reply is a HashMap). */
  static LinkedHashMap<String, LinkedHashMap<String, String>> streamEntries(UnifiedJedis redis, String key) {
    LinkedHashMap<String, LinkedHashMap<String, String>> entries = new LinkedHashMap<>();
    List<?> reply = (List<?>) redis.sendCommand(Protocol.Command.XRANGE, key, "-", "+");
    for (Object item : reply) {
      List<?> entry = (List<?>) item;
      List<?> pairs = (List<?>) entry.get(1);
      LinkedHashMap<String, String> fields = new LinkedHashMap<>();
      for (int i = 0; i < pairs.size(); i += 2) {
        fields.put(utf8(pairs.get(i)), utf8(pairs.get(i + 1)));
      }
      entries.put(utf8(entry.get(0)), fields);
    }
    return entries;
  }

  private static String utf8(Object bytes) {
    return new String((byte[]) bytes, StandardCharsets.UTF_8);
  }

  /** Committed offsets of a consumer group, summed over its partitions: how many records it has acknowledged. */
  static long committedRecords(String bootstrap, String groupId) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
      return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }
  }

  /** One sample from the Prometheus text, e.g. {@code quetzal_sink_duplicates_total{store="mongo"}}. */
  static double metric(int port, String series) {
    for (String line : get(port, "/metrics").body().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return Double.NaN;
  }
}
