package gt.quetzal.streams.runtime;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Turns a {@link StreamsAppConfig} into Kafka Streams properties. Pure, so it is unit-tested. */
public final class StreamsConfigFactory {

  /** Producer batch size: 128 KiB, eight times Kafka's default. */
  static final int PRODUCER_BATCH_BYTES = 128 * 1024;

  private StreamsConfigFactory() {}

  public static Properties properties(StreamsAppConfig config) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    // Counted exactly once: read-process-write commits atomically with the consumed offsets.
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Each commit ends a transaction and flushes the caches, so this bounds end-to-end latency.
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitIntervalMs()));
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(config.cacheMaxBytes()));
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(config.numStandbyReplicas()));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(config.numStreamThreads()));
    if (config.applicationServer() != null) {
      props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.applicationServer());
    }
    if (config.groupInstanceId() != null) {
      // Kafka Streams suffixes it per stream thread.
      props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.groupInstanceId());
    }
    // Each task reads one partition (two with the voter policy, whose relative order does not
    // matter), so there is no cross-partition time to wait for; at the default 0 Kafka Streams still
    // checks every buffered partition before each record, which showed in a profile of the stream thread.
    props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
    // One transaction per commit interval sends hundreds of votes per partition: bigger batches
    // mean fewer produce requests and fewer wake-ups of the producer's I/O thread.
    props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(PRODUCER_BATCH_BYTES));
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDBConfig.class.getName());
    props.put(BoundedMemoryRocksDBConfig.POOL_CONFIG, rocksDbPoolName(config));
    props.put(BoundedMemoryRocksDBConfig.CACHE_BYTES_CONFIG, Long.toString(config.rocksDbCacheBytes()));
    // No global stores here; opting in now (the 5.0 default) also silences a warning at every start.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    // Deliberately no default key/value serdes: the topology names every serde, and a missing one
    // should fail at startup rather than fall back to a guess.
    return props;
  }

  /**
   * One RocksDB memory pool per client. A state dir holds at most one running client of an
   * application (Kafka Streams locks it), so the pair names the client.
   */
  public static String rocksDbPoolName(StreamsAppConfig config) {
    return config.applicationId() + "@" + config.stateDir().toAbsolutePath();
  }
}
