package gt.quetzal.bench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The prod overlay is the model's 10k votes/s profile, computed from the recorded run: the streams
 * instances and threads, the brokers, each autoscaler's minimum and maximum, and the topics' partition
 * count (the kafka-topics Job's PARTITIONS).
 */
class ProdOverlayTest {

  private static final Path PROD = Path.of("..", "manifests", "overlays", "prod");
  private static final Path BASE = Path.of("..", "manifests", "base");

  /** What the overlay says, from the files kustomize reads (each a flat patch, so a pattern finds it). */
  static List<String> mismatches(CapacityModel.Profile p, String ingestHttp, String ingestGrpc, String sinks, String streams, String kafka,
      String kafkaTopics) {
    List<String> out = new ArrayList<>();
    check(out, "ingest-http minReplicas", p.ingestHttpReplicas(), number(ingestHttp, "minReplicas: (\\d+)"));
    check(out, "ingest-http maxReplicas", p.ingestHttpMax(), number(ingestHttp, "maxReplicas: (\\d+)"));
    check(out, "ingest-grpc minReplicas", p.ingestGrpcReplicas(), number(ingestGrpc, "minReplicas: (\\d+)"));
    check(out, "ingest-grpc maxReplicas", p.ingestGrpcMax(), number(ingestGrpc, "maxReplicas: (\\d+)"));
    check(out, "sinks minReplicas", p.sinksInstances(), number(sinks, "minReplicas: (\\d+)"));
    check(out, "sinks maxReplicas", p.partitions(), number(sinks, "maxReplicas: (\\d+)"));
    check(out, "streams-app replicas", p.streamsInstances(), number(streams, "(?m)^  replicas: (\\d+)"));
    check(out, "streams-app NUM_STREAM_THREADS", p.threadsPerInstance(), number(streams, "NUM_STREAM_THREADS\\s+value: \"(\\d+)\""));
    check(out, "kafka replicas", p.brokers(), number(kafka, "(?m)^  replicas: (\\d+)"));
    check(out, "kafka-topics PARTITIONS", p.partitions(), number(kafkaTopics, "PARTITIONS\\s+value: \"(\\d+)\""));
    return out;
  }

  @Test
  void theProdOverlayIsTheTenThousandVotesProfile() {
    assertThat(mismatches(tenK(), read(PROD, "ingest-http.yaml"), read(PROD, "ingest-grpc.yaml"), read(PROD, "sinks.yaml"),
        read(PROD, "streams-app.yaml"), read(PROD, "kafka.yaml"), read(PROD, "kafka-topics.yaml"))).isEmpty();
  }

  @Test
  void anOverlayOffTheModelIsCaught() {
    // The base's autoscalers (2-5 for each) and its single broker and streams instance are not the profile.
    String baseStreams = read(BASE, "streams-app.yaml");
    assertThat(mismatches(tenK(), read(BASE, "ingest-http.yaml"), read(BASE, "ingest-grpc.yaml"), read(BASE, "sinks.yaml"),
        baseStreams, read(BASE, "kafka.yaml"), read(Path.of("..", "manifests", "overlays", "local"), "kafka-topics.yaml")))
        .contains("ingest-grpc maxReplicas: the model says 2, the overlay 5", "kafka replicas: the model says 3, the overlay 1",
            "kafka-topics PARTITIONS: the model says 6, the overlay 3")
        .anySatisfy(m -> assertThat(m).startsWith("streams-app NUM_STREAM_THREADS"));
  }

  private static CapacityModel.Profile tenK() {
    Assumptions defaults = Assumptions.defaults();
    return new CapacityModel(MeasuredCosts.read(Path.of("..", "docs", "bench-results"), defaults.skew()), defaults).size(10_000);
  }

  private static void check(List<String> out, String what, int model, Integer overlay) {
    if (overlay == null || overlay != model) {
      out.add(what + ": the model says " + model + ", the overlay " + (overlay == null ? "nothing" : overlay));
    }
  }

  private static Integer number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  private static String read(Path dir, String file) {
    try {
      return Files.readString(dir.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
