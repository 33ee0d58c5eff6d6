package gt.quetzal.streams.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One block cache and one write buffer manager, shared by every RocksDB store of one Kafka Streams
 * client. Memtables are charged to the cache, so {@code cacheBytes} bounds block cache, index and
 * filter blocks and memtables together, however many stores, partitions and segments there are.
 *
 * <p>Kafka Streams instantiates the config setter per store, so the pool must be found by name: the
 * registry maps a pool name (one per client, see {@link StreamsConfigFactory}) to its pool. Only the
 * owner of the client releases it, after the client has closed: the stores never close it.
 */
public final class RocksDBMemoryPool {

  /** Share of the budget memtables may take before RocksDB flushes them. */
  static final double MEMTABLE_SHARE = 0.25;

  /** Share of the cache reserved for index and filter blocks, so data blocks cannot evict them. */
  static final double INDEX_FILTER_SHARE = 0.1;

  private static final Logger LOG = LoggerFactory.getLogger(RocksDBMemoryPool.class);
  private static final Map<String, RocksDBMemoryPool> POOLS = new ConcurrentHashMap<>();

  private final String name;
  private final long cacheBytes;
  private final Cache cache;
  private final WriteBufferManager writeBufferManager;

  private RocksDBMemoryPool(String name, long cacheBytes) {
    RocksDB.loadLibrary();
    this.name = name;
    this.cacheBytes = cacheBytes;
    // -1 shard bits: RocksDB picks them from the capacity. Not strict: a read never fails for want of
    // cache, the cache is only briefly over budget.
    this.cache = new LRUCache(cacheBytes, -1, false, INDEX_FILTER_SHARE);
    this.writeBufferManager = new WriteBufferManager((long) (cacheBytes * MEMTABLE_SHARE), cache);
  }

  /** The pool of that name, created with {@code cacheBytes} on first use. */
  public static RocksDBMemoryPool acquire(String name, long cacheBytes) {
    RocksDBMemoryPool pool = POOLS.computeIfAbsent(name, n -> new RocksDBMemoryPool(n, cacheBytes));
    if (pool.cacheBytes != cacheBytes) {
      LOG.warn(
          "RocksDB memory pool {} already exists with {} bytes; ignoring the request for {}",
          name, pool.cacheBytes, cacheBytes);
    }
    return pool;
  }

  /**
   * Closes and forgets the pool. Call only once no RocksDB instance uses it any more (the Kafka
   * Streams client closed cleanly); a no-op for an unknown name.
   */
  public static void release(String name) {
    RocksDBMemoryPool pool = POOLS.remove(name);
    if (pool != null) {
      pool.writeBufferManager.close();
      pool.cache.close();
      LOG.debug("Released RocksDB memory pool {}", pool.name);
    }
  }

  /** Whether a pool of that name is registered (for tests). */
  public static boolean exists(String name) {
    return POOLS.containsKey(name);
  }

  public Cache cache() {
    return cache;
  }

  WriteBufferManager writeBufferManager() {
    return writeBufferManager;
  }

  long cacheBytes() {
    return cacheBytes;
  }
}
