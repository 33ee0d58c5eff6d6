package gt.quetzal.sinks;

import gt.quetzal.contract.Topic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Shared plumbing for the sinks' ITs: producing with checked acks, config, and HTTP probes. */
final class ItSupport {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ItSupport() {}

  static <K, V> KafkaProducer<K, V> producer(String bootstrap, Topic<K, V> topic) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
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
