package gt.quetzal.manifests;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The brokers' FORWARD listener against what {@code ./quetzal k8s verify} forwards to it. The verify
 * runs outside the cluster, where {@code kafka-N.kafka-headless...} does not resolve, so each broker
 * must also advertise the local port its forward uses: the broker's start script and the launcher's
 * k8s script must agree on the remote port and on the local base, and the listener must bind the pod's
 * loopback only (port-forwards arrive there; no other pod can). {@code start.sh} is run for real, with
 * Kafka's two tools replaced by stand-ins that keep the properties it writes.
 */
final class KafkaForward {

  static final String LISTENER = "FORWARD";
  private static final Pattern BASE = Pattern.compile("K8S_KAFKA_FORWARD_BASE=\"\\$\\{QUETZAL_K8S_KAFKA_FORWARD_BASE:-(\\d+)}\"");
  private static final Pattern REMOTE = Pattern.compile("(?m)^K8S_KAFKA_FORWARD_PORT=(\\d+)$");

  private KafkaForward() {}

  static Path startScript() {
    return Repo.manifests().resolve("base/files/kafka/start.sh");
  }

  static Path verifyScript() {
    return Repo.root().resolve("launcher/k8s.sh");
  }

  /** Problems of this pair of scripts, for broker {@code ordinal}; empty when they agree. */
  static List<String> check(String startScript, String verifyScript, int ordinal, Path scratch) {
    List<String> problems = new ArrayList<>();
    Matcher base = BASE.matcher(verifyScript);
    Matcher remote = REMOTE.matcher(verifyScript);
    if (!base.find() || !remote.find()) {
      problems.add("launcher/k8s.sh: no K8S_KAFKA_FORWARD_BASE default or K8S_KAFKA_FORWARD_PORT");
      return problems;
    }
    Properties broker = brokerProperties(startScript, ordinal, scratch);
    Map<String, String> protocols = pairs(broker.getProperty("listener.security.protocol.map", ""), ":");
    Map<String, String> listeners = pairs(broker.getProperty("listeners", ""), "://");
    Map<String, String> advertised = pairs(broker.getProperty("advertised.listeners", ""), "://");
    for (String name : listeners.keySet()) {
      if (!protocols.containsKey(name)) {
        problems.add("start.sh: listener " + name + " has no security protocol in listener.security.protocol.map");
      }
    }
    String bound = listeners.get(LISTENER);
    String expectedBound = "127.0.0.1:" + remote.group(1);
    if (!expectedBound.equals(bound)) {
      problems.add("start.sh: the " + LISTENER + " listener binds " + bound + ", not " + expectedBound
          + " (the pod's loopback, on the port launcher/k8s.sh forwards to)");
    }
    String expectedAdvertised = "127.0.0.1:" + (Integer.parseInt(base.group(1)) + ordinal);
    if (!expectedAdvertised.equals(advertised.get(LISTENER))) {
      problems.add("start.sh: broker " + ordinal + " advertises " + LISTENER + " as " + advertised.get(LISTENER)
          + ", not " + expectedAdvertised + " (launcher/k8s.sh's forward base + ordinal)");
    }
    return problems;
  }

  /** NAME<sep>VALUE pairs of a comma-separated Kafka list. */
  private static Map<String, String> pairs(String list, String separator) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String item : list.split(",")) {
      int at = item.indexOf(separator);
      if (at > 0) {
        pairs.put(item.substring(0, at), item.substring(at + separator.length()));
      }
    }
    return pairs;
  }

  /** Runs {@code startScript} as pod kafka-{@code ordinal} would, and returns the properties it starts Kafka with. */
  private static Properties brokerProperties(String startScript, int ordinal, Path scratch) {
    try {
      Path bin = Files.createDirectories(scratch.resolve("bin"));
      Path written = scratch.resolve("server.properties");
      executable(bin.resolve("kafka-storage.sh"), "#!/bin/sh\nexit 0\n");
      executable(bin.resolve("kafka-server-start.sh"), "#!/bin/sh\ncat \"$1\"\n");
      String runnable = startScript.replace("/opt/kafka/bin/", bin + "/").replace("/tmp/server.properties", written.toString());
      if (runnable.equals(startScript)) {
        throw new IllegalStateException("start.sh no longer calls /opt/kafka/bin: update this check");
      }
      Path script = scratch.resolve("start.sh");
      Files.writeString(script, runnable);
      ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
      builder.environment().putAll(Map.of("POD_NAME", "kafka-" + ordinal, "POD_NAMESPACE", "quetzal",
          "CLUSTER_ID", "check", "KAFKA_REPLICAS", "3", "REPLICATION_FACTOR", "3", "MIN_INSYNC_REPLICAS", "2"));
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("start.sh failed: " + output);
      }
      Properties properties = new Properties();
      properties.load(new StringReader(output));
      return properties;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
