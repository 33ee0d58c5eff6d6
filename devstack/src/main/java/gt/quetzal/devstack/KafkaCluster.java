package gt.quetzal.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * Several {@link KafkaBroker} nodes in this JVM forming one KRaft cluster, each a broker and a
 * controller voter, so that losing one node is a leader election and not an outage. Node {@code i}
 * (from 0) listens on {@code brokerPort + 2i} and {@code controllerPort + 2i}, or on free ports when
 * the base is 0. Its data lives in {@code dir/node-<i>}; the cluster id is kept in {@code
 * dir/cluster-id}, so a restart on the same directory rejoins the same cluster.
 */
public final class KafkaCluster implements AutoCloseable {

  private final List<KafkaBroker> nodes;

  private KafkaCluster(List<KafkaBroker> nodes) {
    this.nodes = nodes;
  }

  /** One node on {@code dir} itself, exactly as {@link KafkaBroker#start(Path, int, int)}. */
  public static KafkaCluster single(Path dir, int brokerPort, int controllerPort) {
    return new KafkaCluster(new ArrayList<>(List.of(KafkaBroker.start(dir, brokerPort, controllerPort))));
  }

  /** {@code size} nodes started side by side; returns once every node sees all of them. */
  public static KafkaCluster start(Path dir, int size, int brokerPort, int controllerPort) {
    if (size < 2) {
      throw new IllegalArgumentException("a cluster needs at least 2 nodes, use single() for one");
    }
    List<KafkaBroker.Voter> quorum = new ArrayList<>();
    List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      int broker = brokerPort == 0 ? freePortBut(taken) : brokerPort + 2 * i;
      taken.add(broker);
      int controller = controllerPort == 0 ? freePortBut(taken) : controllerPort + 2 * i;
      taken.add(controller);
      quorum.add(new KafkaBroker.Voter(i + 1, broker, controller));
    }
    String clusterId = clusterId(dir);
    // One thread per node: a node's start may wait for the others (the common pool may have one thread).
    ExecutorService starters = Executors.newFixedThreadPool(size);
    List<CompletableFuture<KafkaBroker>> starting =
        quorum.stream()
            .map(node -> CompletableFuture.supplyAsync(
                () -> KafkaBroker.start(dir.resolve("node-" + (node.id() - 1)), node, quorum, clusterId), starters))
            .toList();
    starters.shutdown();
    List<KafkaBroker> started = new ArrayList<>();
    RuntimeException failure = null;
    for (CompletableFuture<KafkaBroker> future : starting) {
      try {
        started.add(future.join());
      } catch (CompletionException e) {
        failure = failure == null ? new IllegalStateException("Kafka cluster did not start", e.getCause()) : failure;
      }
    }
    KafkaCluster cluster = new KafkaCluster(started);
    try {
      if (failure != null) {
        throw failure;
      }
      started.forEach(node -> node.awaitReady(size));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static int freePortBut(List<Integer> taken) {
    int port = Ports.freePort();
    while (taken.contains(port)) {
      port = Ports.freePort();
    }
    return port;
  }

  private static String clusterId(Path dir) {
    Path file = dir.resolve("cluster-id");
    try {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      Files.createDirectories(dir);
      String id = Uuid.randomUuid().toString();
      Files.writeString(file, id);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the cluster id in " + file, e);
    }
  }

  public int size() {
    return nodes.size();
  }

  public KafkaBroker node(int index) {
    return nodes.get(index);
  }

  /** Every node's address, so a client reaches the cluster while any one node is down. */
  public String bootstrapServers() {
    return nodes.stream().map(KafkaBroker::bootstrapServers).collect(Collectors.joining(","));
  }

  /** Replicas for Quetzal's topics: one per node, up to three. */
  public short replicationFactor() {
    return (short) Math.min(nodes.size(), 3);
  }

  /** Stops node {@code index} the way a crash would ({@link KafkaBroker#halt}). */
  public void halt(int index) {
    nodes.get(index).halt();
  }

  /** Starts node {@code index} again on its data and ports, and waits until it sees the whole cluster. */
  public void restart(int index) {
    KafkaBroker again = nodes.get(index).restart();
    nodes.set(index, again);
    again.awaitReady(nodes.size());
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    int majority = nodes.size() / 2 + 1;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        // Node i stops while i + 1 nodes are up: below a majority no controller can approve a controlled shutdown.
        if (i + 1 >= majority) {
          nodes.get(i).close();
        } else {
          nodes.get(i).closeWithoutController();
        }
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
