package gt.quetzal.streams.topology;

import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.contract.ContestState;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.StateStoreProvider;
import org.apache.kafka.streams.query.Position;

/**
 * The global store of the contest: {@code contest.catalog} folded through {@link ContestState} into
 * one immutable {@link CatalogIndex} that every stream thread reads with a single volatile load per
 * vote. A key-value store would cost a lookup and a JSON parse per vote; the catalog is small and
 * changes rarely, so each change rebuilds the index instead.
 *
 * <p>Both ways in fold the same way: the global processor on live records, and the restore callback
 * when the store is rebuilt from the topic at start (global stores are not checkpointed here: the
 * store is in memory and the topic is tiny).
 */
public final class ContestStore implements StateStore {

  /** For {@code KafkaStreams#store}: answers the store itself. */
  public static final QueryableStoreType<ContestStore> QUERY_TYPE =
      new QueryableStoreType<>() {
        @Override
        public boolean accepts(StateStore stateStore) {
          return stateStore instanceof ContestStore;
        }

        @Override
        public ContestStore create(StateStoreProvider provider, String storeName) {
          List<ContestStore> stores = provider.stores(storeName, this);
          return stores.get(0);
        }
      };

  private final String name;
  private final ContestState state = new ContestState();
  private volatile CatalogIndex index = CatalogIndex.OPEN;
  private volatile boolean open;

  ContestStore(String name) {
    this.name = name;
  }

  /** The contest now: open until a catalog was read. */
  public CatalogIndex index() {
    return index;
  }

  /** Folds one record in; only the global thread calls this. */
  void apply(String key, byte[] value) {
    state.apply(key, value);
    index = state.index();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    context.register(
        root,
        (key, value) -> apply(key == null ? null : Serdes.String().deserializer().deserialize(null, key), value));
    open = true;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public Position getPosition() {
    return Position.emptyPosition();
  }

  /** Feeds live records of {@code contest.catalog} into the store. */
  static final class Updater implements Processor<String, byte[], Void, Void> {
    private ContestStore store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(StoreNames.CONTEST);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      store.apply(record.key(), record.value());
    }
  }

  static StoreBuilder<ContestStore> builder() {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<ContestStore> withCachingEnabled() {
        return this;
      }

      @Override
      public StoreBuilder<ContestStore> withCachingDisabled() {
        return this;
      }

      @Override
      public StoreBuilder<ContestStore> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException("the contest store is rebuilt from its own topic");
      }

      @Override
      public StoreBuilder<ContestStore> withLoggingDisabled() {
        return this;
      }

      @Override
      public ContestStore build() {
        return new ContestStore(StoreNames.CONTEST);
      }

      @Override
      public Map<String, String> logConfig() {
        return Map.of();
      }

      @Override
      public boolean loggingEnabled() {
        return false;
      }

      @Override
      public String name() {
        return StoreNames.CONTEST;
      }
    };
  }
}
