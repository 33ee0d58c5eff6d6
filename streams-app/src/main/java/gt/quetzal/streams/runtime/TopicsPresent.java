package gt.quetzal.streams.runtime;

import gt.quetzal.contract.Topic;
import gt.quetzal.contract.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until Kafka answers and every project topic exists, before Kafka Streams starts. Started before
 * topic setup finished ({@code ./quetzal up} starts it while the broker comes up; a pod may start before
 * the topic Job), Kafka Streams would fail its global thread on a missing {@code contest.catalog} and
 * stop for good.
 */
final class TopicsPresent {

  private static final Logger LOG = LoggerFactory.getLogger(TopicsPresent.class);
  private static final long ASK_EVERY_MS = 200;

  private TopicsPresent() {}

  static Set<String> projectTopics() {
    return Topics.ALL.stream().map(Topic::name).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * @throws IllegalStateException when a topic is still missing after {@code timeout}
   */
  static void await(String bootstrapServers, Set<String> topics, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> missing = new TreeSet<>(topics);
    boolean told = false;
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.CLIENT_ID_CONFIG, "quetzal-streams-topics-present"))) {
      while (true) {
        try {
          missing.removeAll(admin.listTopics().names().get(2, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
          // Kafka is not up yet: ask again.
        }
        if (missing.isEmpty()) {
          if (told) {
            LOG.info("every topic exists now; starting Kafka Streams");
          }
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topics " + missing + " still missing after " + timeout + " at " + bootstrapServers
                  + " (topic setup creates them: the devstack, or the topic Job on Kubernetes)");
        }
        if (!told) {
          LOG.info("waiting for Kafka at {} and the topics {} before starting Kafka Streams", bootstrapServers, missing);
          told = true;
        }
        Thread.sleep(ASK_EVERY_MS);
      }
    }
  }
}
