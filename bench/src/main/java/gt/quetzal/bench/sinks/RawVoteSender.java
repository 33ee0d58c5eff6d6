package gt.quetzal.bench.sinks;

import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Votes straight into {@code votes.raw}, as ingest writes them, with a producer like ingest's (acks=all,
 * idempotent, a few ms of linger): the benchmark's stand-in for the front doors.
 */
final class RawVoteSender implements AutoCloseable {

  private final KafkaProducer<String, VoteEvent> producer;
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  RawVoteSender(String bootstrap) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    producer = new KafkaProducer<>(
        props, Topics.VOTES_RAW.keySerde().serializer(), Topics.VOTES_RAW.valueSerde().serializer());
  }

  /** A fresh vote from a sampled {@code {"name","album","year","rank"}}, received now. */
  static VoteEvent vote(Map<String, String> v) {
    return vote(v.get("name"), v.get("album"), Integer.parseInt(v.get("year")), Integer.parseInt(v.get("rank")));
  }

  static VoteEvent vote(String band, String album, int year, int rank) {
    return new VoteEvent(UUID.randomUUID().toString(), band, album, year, rank, null, VoteEvent.CHANNEL_HTTP,
        System.currentTimeMillis());
  }

  void send(VoteEvent vote) {
    send(vote, null);
  }

  /** To that partition of votes.raw ({@code null}: the key's), still keyed by its voteId. */
  void send(VoteEvent vote, Integer partition) {
    producer.send(new ProducerRecord<>(Topics.VOTES_RAW.name(), partition, vote.voteId(), vote), (md, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
    });
  }

  /** Waits until every vote sent is acknowledged; throws if one was not. */
  void flush() {
    producer.flush();
    if (failure.get() != null) {
      throw new IllegalStateException("a send to votes.raw failed", failure.get());
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
