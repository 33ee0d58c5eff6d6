package gt.quetzal.ingest.core;

import gt.quetzal.contract.VoteEvent;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Hands validated votes to durable storage; shared by the HTTP and gRPC routes.
 *
 * <p>The returned future completes normally only once the vote is durable (for Kafka: acknowledged
 * with {@code acks=all}); that is the only moment a route may answer "accepted". It completes
 * exceptionally when the vote could not be taken; the vote may or may not have been stored, so the
 * client must retry with the same voteId, which is deduplicated downstream.
 *
 * <p>Futures may complete on an I/O thread of the client library: dependents must not block; use
 * the {@code *Async} stages with an executor for real work such as writing a response.
 */
public interface VotePublisher extends AutoCloseable {

  /** Never blocks longer than the publisher's configured bound, and never throws: failures are in the future. */
  CompletableFuture<RecordMetadata> publish(VoteEvent vote);

  /** Whether the publisher can currently reach its storage; cheap to call often (results are cached). */
  CompletableFuture<PublisherHealth> health();

  /** Sends what is buffered, waiting a bounded time, then releases resources. */
  @Override
  void close();
}
