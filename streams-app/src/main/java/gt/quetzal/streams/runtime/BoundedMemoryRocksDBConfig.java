package gt.quetzal.streams.runtime;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

/**
 * Bounds the memory of all RocksDB stores of one Kafka Streams client by one shared LRU cache, with
 * memtables charged to it through a shared write buffer manager ({@link RocksDBMemoryPool}).
 *
 * <p>Without it each store (and each segment of a window store: the dedup store alone is 3 per
 * partition) gets its own block cache and up to three 16 MB memtables, so memory grows with the
 * partition count rather than with a setting. With it, the total is {@value #CACHE_BYTES_CONFIG}
 * (env {@code ROCKSDB_CACHE_BYTES}) plus a little per-instance overhead.
 *
 * <p>Index and filter blocks go into the cache too (at high priority, top-level ones pinned), because
 * outside it they are unbounded and grow with the data.
 *
 * <p>Kafka Streams creates one setter per store and calls {@link #close} when the store closes. The
 * cache and the write buffer manager are shared, so {@code close} must not close them: that would pull
 * them from under every other store. This setter creates nothing per store, so it closes nothing; the
 * pool is released by {@code StreamsMain} after the client has closed.
 */
public final class BoundedMemoryRocksDBConfig implements RocksDBConfigSetter {

  /** Streams property: the shared cache size in bytes. */
  public static final String CACHE_BYTES_CONFIG = "quetzal.rocksdb.cache.bytes";

  /** Streams property: the name of the client's memory pool. */
  public static final String POOL_CONFIG = "quetzal.rocksdb.memory.pool";

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    RocksDBMemoryPool pool = pool(configs);
    // Kafka hands us its own BlockBasedTableConfig subclass; keep it, only change what we own.
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(pool.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(pool.writeBufferManager());
  }

  @Override
  public void close(String storeName, Options options) {
    // Nothing is owned per store: the cache and the write buffer manager belong to the pool.
  }

  static RocksDBMemoryPool pool(Map<String, ?> configs) {
    Object name = configs.get(POOL_CONFIG);
    Object bytes = configs.get(CACHE_BYTES_CONFIG);
    if (name == null || bytes == null) {
      throw new IllegalStateException(
          BoundedMemoryRocksDBConfig.class.getSimpleName() + " needs " + POOL_CONFIG + " and "
              + CACHE_BYTES_CONFIG + " in the Streams properties");
    }
    return RocksDBMemoryPool.acquire(name.toString(), Long.parseLong(bytes.toString()));
  }
}
