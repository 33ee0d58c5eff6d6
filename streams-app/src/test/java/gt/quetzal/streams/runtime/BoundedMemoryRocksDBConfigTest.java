package gt.quetzal.streams.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedMemoryRocksDBConfigTest {

  private static final long BUDGET = 8L * 1024 * 1024;

  static {
    RocksDB.loadLibrary();
  }

  @TempDir Path dir;

  private final String pool = "test-pool-" + System.nanoTime();
  private final Map<String, Object> configs =
      Map.of(
          BoundedMemoryRocksDBConfig.POOL_CONFIG, pool,
          BoundedMemoryRocksDBConfig.CACHE_BYTES_CONFIG, Long.toString(BUDGET));

  @AfterEach
  void release() {
    RocksDBMemoryPool.release(pool);
  }

  /** What Kafka Streams hands the setter: options whose table config exposes its block cache. */
  private static Options kafkaStyleOptions() {
    Options options = new Options().setCreateIfMissing(true);
    options.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
    return options;
  }

  private static BlockBasedTableConfigWithAccessibleCache table(Options options) {
    return (BlockBasedTableConfigWithAccessibleCache) options.tableFormatConfig();
  }

  @Test
  void everyStoreGetsTheOneSharedCacheAndWriteBufferManager() {
    BoundedMemoryRocksDBConfig setterA = new BoundedMemoryRocksDBConfig();
    BoundedMemoryRocksDBConfig setterB = new BoundedMemoryRocksDBConfig();
    try (Options a = kafkaStyleOptions(); Options b = kafkaStyleOptions()) {
      setterA.setConfig("band-totals", a, configs);
      setterB.setConfig("vote-dedup.1764158400000", b, configs);

      RocksDBMemoryPool shared = RocksDBMemoryPool.acquire(pool, BUDGET);
      assertThat(shared.cacheBytes()).isEqualTo(BUDGET);
      assertThat(table(a).blockCache()).isSameAs(shared.cache());
      assertThat(table(b).blockCache()).isSameAs(shared.cache());
      assertThat(a.writeBufferManager()).isSameAs(shared.writeBufferManager());
      assertThat(b.writeBufferManager()).isSameAs(shared.writeBufferManager());
      assertThat(table(a).cacheIndexAndFilterBlocks()).isTrue();
      assertThat(table(a).pinTopLevelIndexAndFilter()).isTrue();
    }
  }

  @Test
  void closingOneStoreLeavesTheSharedCacheWorkingForTheOthers() throws Exception {
    BoundedMemoryRocksDBConfig setterA = new BoundedMemoryRocksDBConfig();
    BoundedMemoryRocksDBConfig setterB = new BoundedMemoryRocksDBConfig();
    try (Options a = kafkaStyleOptions(); Options b = kafkaStyleOptions()) {
      setterA.setConfig("a", a, configs);
      setterB.setConfig("b", b, configs);
      RocksDBMemoryPool shared = RocksDBMemoryPool.acquire(pool, BUDGET);

      try (RocksDB first = RocksDB.open(a, dir.resolve("a").toString())) {
        first.put(bytes("k"), bytes("v"));
      }
      setterA.close("a", a);

      assertThat(shared.cache().isOwningHandle()).isTrue();
      assertThat(shared.writeBufferManager().isOwningHandle()).isTrue();
      // The other store still opens and writes through the same cache after the first one closed.
      try (RocksDB second = RocksDB.open(b, dir.resolve("b").toString())) {
        for (int i = 0; i < 1_000; i++) {
          second.put(bytes("key-" + i), new byte[1024]);
        }
        assertThat(shared.cache().getUsage()).as("memtables are charged to the shared cache").isPositive();
        assertThat(second.get(bytes("key-999"))).hasSize(1024);
      }
      setterB.close("b", b);
      assertThat(shared.cache().isOwningHandle()).isTrue();
    }
  }

  @Test
  void onlyReleasingThePoolClosesTheSharedObjects() {
    try (Options options = kafkaStyleOptions()) {
      new BoundedMemoryRocksDBConfig().setConfig("a", options, configs);
      RocksDBMemoryPool shared = RocksDBMemoryPool.acquire(pool, BUDGET);

      RocksDBMemoryPool.release(pool);

      assertThat(shared.cache().isOwningHandle()).isFalse();
      assertThat(shared.writeBufferManager().isOwningHandle()).isFalse();
      assertThat(RocksDBMemoryPool.exists(pool)).isFalse();
    }
  }

  @Test
  void poolsAreSeparatePerClient() {
    try (Options a = kafkaStyleOptions(); Options b = kafkaStyleOptions()) {
      new BoundedMemoryRocksDBConfig().setConfig("s", a, configs);
      String otherPool = pool + "-other";
      try {
        new BoundedMemoryRocksDBConfig()
            .setConfig(
                "s",
                b,
                Map.of(
                    BoundedMemoryRocksDBConfig.POOL_CONFIG, otherPool,
                    BoundedMemoryRocksDBConfig.CACHE_BYTES_CONFIG, "2097152"));
        assertThat(table(a).blockCache()).isNotSameAs(table(b).blockCache());
        assertThat(RocksDBMemoryPool.acquire(otherPool, 2097152).cacheBytes()).isEqualTo(2097152);
      } finally {
        RocksDBMemoryPool.release(otherPool);
      }
    }
  }

  @Test
  void withoutItsPropertiesTheSetterFailsLoudly() {
    try (Options options = kafkaStyleOptions()) {
      assertThatThrownBy(() -> new BoundedMemoryRocksDBConfig().setConfig("a", options, Map.of()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(BoundedMemoryRocksDBConfig.POOL_CONFIG);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
