package gt.quetzal.bench.streams;

import com.sun.net.httpserver.HttpServer;
import gt.quetzal.contract.Topics;
import gt.quetzal.streams.runtime.StreamsAppConfig;
import gt.quetzal.streams.runtime.StreamsConfigFactory;
import gt.quetzal.streams.topology.StoreNames;
import gt.quetzal.streams.topology.VoteIdMemory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The least a Kafka Streams application can do with {@code votes.raw} under the streams app's own
 * configuration ({@link StreamsConfigFactory}: exactly_once_v2, the same commit interval, producer
 * batches and bounded RocksDB). {@code BENCH_STREAMS_APP=floor-copy|floor-dedup ./quetzal bench
 * streams} runs one in place of the streams app, so the benchmark can say how much of the gap to
 * ConsumerPerformance is Kafka Streams on this machine and how much is Quetzal's own work.
 *
 * <ul>
 *   <li>{@link Mode#COPY}: every record, untouched bytes, to {@code votes.accepted}. No parsing, no
 *       state: the cost of reading and writing one record per vote in a transaction.
 *   <li>{@link Mode#DEDUP}: the same, but only the first copy of each key, decided by the streams
 *       app's own dedup rule ({@link VoteIdMemory}: its window store, its Bloom filters, its lookups;
 *       for a new key one put and one changelog record). The smallest topology that meets issue 4's
 *       de-duplication rule with bounded memory, with the same structure as the app's.
 * </ul>
 *
 * <p>Not a product: it counts nothing, so the benchmark ends its catch-up on committed offsets alone.
 */
public final class StreamsFloor {

  /** Which floor to run. */
  public enum Mode {
    COPY,
    DEDUP;

    /** The command-line word: {@code copy} or {@code dedup}. */
    String argument() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Mode parse(String text) {
      for (Mode mode : values()) {
        if (mode.argument().equals(text.trim().toLowerCase(Locale.ROOT))) {
          return mode;
        }
      }
      throw new IllegalArgumentException("usage: StreamsFloor copy|dedup (got '" + text + "')");
    }
  }

  private StreamsFloor() {}

  /** Pure: no I/O. */
  public static Topology build(Mode mode, Duration retention) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, byte[]> raw =
        builder.stream(
            Topics.VOTES_RAW.name(),
            Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("floor-source"));
    KStream<String, byte[]> out = raw;
    if (mode == Mode.DEDUP) {
      builder.addStateStore(VoteIdMemory.storeBuilder(retention));
      out = raw.processValues(() -> new FirstCopy(retention), Named.as("floor-first-copy"), StoreNames.VOTE_DEDUP);
    }
    out.to(
        Topics.VOTES_ACCEPTED.name(),
        Produced.with(Serdes.String(), Serdes.ByteArray()).withName("floor-sink"));
    return builder.build();
  }

  /** Forwards a key the first time the app's dedup rule sees it. */
  static final class FirstCopy implements FixedKeyProcessor<String, byte[], byte[]> {
    private final VoteIdMemory memory;
    private FixedKeyProcessorContext<String, byte[]> context;

    FirstCopy(Duration retention) {
      this.memory = new VoteIdMemory(retention);
    }

    @Override
    public void init(FixedKeyProcessorContext<String, byte[]> context) {
      this.context = context;
      memory.init(context.getStateStore(StoreNames.VOTE_DEDUP), context.metrics());
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
      if (!memory.isCopy(record.key(), record.timestamp())) {
        context.forward(record);
      }
    }
  }

  /**
   * Runs a floor with the streams app's environment variables. Serves {@code GET /readyz} (200 once
   * RUNNING), which is all the benchmark asks of it. Argument: {@code copy} or {@code dedup}.
   */
  public static void main(String[] args) throws IOException {
    Mode mode = Mode.parse(args.length == 1 ? args[0] : "");
    StreamsAppConfig config = StreamsAppConfig.fromEnv(System.getenv());
    KafkaStreams streams =
        new KafkaStreams(build(mode, config.dedupRetention()), StreamsConfigFactory.properties(config));
    HttpServer http = HttpServer.create(new InetSocketAddress(config.httpPort()), 0);
    http.createContext(
        "/readyz",
        exchange -> {
          int status = streams.state() == KafkaStreams.State.RUNNING ? 200 : 503;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  http.stop(0);
                  streams.close(Duration.ofSeconds(10));
                },
                "floor-shutdown"));
    http.start();
    streams.start();
  }
}
