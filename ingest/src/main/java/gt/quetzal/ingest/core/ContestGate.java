package gt.quetzal.ingest.core;

import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.contract.ContestFollower;
import gt.quetzal.contract.VoteEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Ingest's read-only copy of the contest ({@code contest.catalog}), and the rule that no vote is taken
 * before it was read: until then the publisher it wraps reports itself down (so {@code /readyz} and
 * gRPC health say so) and refuses to publish (so a vote gets 503 / UNAVAILABLE, not a 202 that the
 * streams app would later refuse).
 */
public final class ContestGate implements AutoCloseable, Supplier<CatalogIndex> {

  static final String NOT_READ = "the contest (topic contest.catalog) has not been read yet";

  /** The publisher's answer while the contest is not read: a 503 / UNAVAILABLE, retried later. */
  public static final class NotReadException extends IllegalStateException {
    NotReadException() {
      super(NOT_READ);
    }
  }

  private final ContestFollower follower;

  private ContestGate(ContestFollower follower) {
    this.follower = follower;
  }

  /** Follows {@code contest.catalog} with these client settings (at least bootstrap servers). */
  public static ContestGate follow(Map<String, Object> clientConfig) {
    return new ContestGate(ContestFollower.start(clientConfig));
  }

  /** The contest now; the validator matches names against it. */
  @Override
  public CatalogIndex get() {
    return follower.index();
  }

  public boolean ready() {
    return follower.caughtUp();
  }

  /** Waits until the contest was read; for in-process stacks and tests that vote right after start. */
  public void awaitReady(Duration timeout) throws InterruptedException {
    if (!follower.awaitCaughtUp(timeout)) {
      throw new IllegalStateException(NOT_READ + " after " + timeout);
    }
  }

  /** {@code publisher}, down and refusing until the contest was read. */
  public VotePublisher guard(VotePublisher publisher) {
    return new VotePublisher() {
      @Override
      public CompletableFuture<RecordMetadata> publish(VoteEvent vote) {
        return ready()
            ? publisher.publish(vote)
            : CompletableFuture.failedFuture(new NotReadException());
      }

      @Override
      public CompletableFuture<PublisherHealth> health() {
        // Kafka's own trouble is the more useful answer: the contest cannot be read without it.
        return publisher.health().thenApply(health -> !health.up() || ready() ? health : PublisherHealth.down(NOT_READ));
      }

      @Override
      public void close() {
        publisher.close();
      }
    };
  }

  @Override
  public void close() throws InterruptedException {
    follower.close();
  }
}
