package gt.quetzal.ingest.testing;

import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.PublisherHealth;
import gt.quetzal.ingest.core.VotePublisher;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/** A publisher whose every future the test completes or fails by hand. */
public final class ControlledPublisher implements VotePublisher {

  public record Pending(VoteEvent vote, CompletableFuture<RecordMetadata> future) {
    public void ack() {
      future.complete(new RecordMetadata(new TopicPartition("votes.raw", 0), 0, 0, vote.receivedAt(), 0, 0));
    }

    public void fail(Exception error) {
      future.completeExceptionally(error);
    }
  }

  private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
  public volatile boolean autoAck;
  public volatile PublisherHealth health = PublisherHealth.up("votes.raw reachable (3 partitions)");
  public volatile boolean closed;

  @Override
  public CompletableFuture<RecordMetadata> publish(VoteEvent vote) {
    Pending p = new Pending(vote, new CompletableFuture<>());
    if (autoAck) {
      p.ack();
    }
    pending.add(p);
    return p.future();
  }

  /** The next vote handed to the publisher, waiting up to 5 s for it. */
  public Pending next() throws InterruptedException {
    Pending p = pending.poll(5, TimeUnit.SECONDS);
    if (p == null) {
      throw new AssertionError("no vote was published within 5 s");
    }
    return p;
  }

  /** Votes published and not yet taken with {@link #next()}. */
  public int waiting() {
    return pending.size();
  }

  public boolean nothingPublished() {
    return pending.isEmpty();
  }

  @Override
  public CompletableFuture<PublisherHealth> health() {
    return CompletableFuture.completedFuture(health);
  }

  @Override
  public void close() {
    closed = true;
  }
}
