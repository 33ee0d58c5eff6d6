package gt.quetzal.bench.fault;

import gt.quetzal.bench.stack.Probe;
import gt.quetzal.contract.Topics;
import gt.quetzal.devstack.KafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * Fault 7: the broker leading {@code votes.raw}'s partition 0 halts without a controlled shutdown; the
 * partitions it led must move to another leader while it is down, and it restarts on its log dir.
 */
final class BrokerFailover {

  /** Bound on waiting for the new leader; KRaft fences a silent broker after its session (9 s by default). */
  private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(60);

  private BrokerFailover() {}

  static FaultEvidence haltLeader(KafkaCluster cluster, Duration down) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000"))) {
      int leader = leaderOfPartition0(admin);
      int index = leader - 1; // node i of the cluster is broker id i + 1
      int port = cluster.node(index).brokerPort();
      long began = System.nanoTime();
      cluster.halt(index);
      boolean refused = LocalStack.refuses(port);
      int[] next = {-1};
      Probe.await("a new leader for " + Topics.VOTES_RAW.name() + "-0", ELECTION_TIMEOUT, Duration.ofMillis(200), () -> {
        next[0] = leaderOfPartition0(admin);
        return next[0] > 0 && next[0] != leader;
      }, () -> false);
      double elected = (System.nanoTime() - began) / 1e9;
      Duration rest = down.minusNanos(System.nanoTime() - began);
      if (!rest.isNegative()) {
        Probe.hold(rest);
      }
      long restart = System.nanoTime();
      cluster.restart(index);
      return new FaultEvidence(refused && next[0] != leader, String.format(Locale.ROOT,
          "broker %d (leader of %s-0) halted without controlled shutdown (port %s), broker %d led the partition"
              + " %.1f s later; restarted after %.0f s on its log dir, in the cluster again in %.1f s",
          leader, Topics.VOTES_RAW.name(), refused ? "refused" : "STILL OPEN", next[0], elected,
          (restart - began) / 1e9, (System.nanoTime() - restart) / 1e9));
    }
  }

  /** The broker id leading partition 0, -1 while it has none. */
  private static int leaderOfPartition0(Admin admin) {
    try {
      Node leader = admin.describeTopics(List.of(Topics.VOTES_RAW.name())).allTopicNames().get(10, TimeUnit.SECONDS)
          .get(Topics.VOTES_RAW.name()).partitions().get(0).leader();
      return leader == null || leader.isEmpty() ? -1 : leader.id();
    } catch (ExecutionException | TimeoutException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the leader", e);
    }
  }
}
