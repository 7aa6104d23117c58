package dev.sluice.pipeline;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of every RocksDB store of the process together. Kafka Streams gives each
 * RocksDB instance a block cache and memtables of its own (about 100 MiB at most), and a window
 * store is one instance per segment: the reply stores alone are up to three per partition per
 * sub-topology. Here they share one cache of {@link #CACHE_BYTES}, in which memtables count too (up
 * to {@link #MEMTABLE_BYTES}), index and filter blocks included, so the total stays fixed whatever
 * the number of partitions.
 */
public final class StoreMemory implements RocksDBConfigSetter {
  static final long CACHE_BYTES = 96L * 1024 * 1024;
  static final long MEMTABLE_BYTES = 32L * 1024 * 1024;
  private static final long MEMTABLE_SIZE = 8L * 1024 * 1024;

  // Shared by every store of the process, for its lifetime: never closed per store.
  private static final Cache CACHE = new LRUCache(CACHE_BYTES, -1, false, 0.1);
  private static final WriteBufferManager MEMTABLES = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(CACHE);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(MEMTABLES);
    options.setWriteBufferSize(MEMTABLE_SIZE);
    options.setMaxWriteBufferNumber(2);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write buffer manager outlive any one store.
  }
}
