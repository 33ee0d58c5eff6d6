package gt.quetzal.sinks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A sink loop's meters, all tagged with its store; the gauges read the loop's own counters. */
record SinkMetrics(Counter recordsWritten, Counter writeFailures, Counter skipped, Counter rewinds, Timer writeTimer) {

  static SinkMetrics register(
      MeterRegistry registry, String store, AtomicInteger storeUp, AtomicLong lastWriteMillis, AtomicInteger heldCount) {
    Gauge.builder("quetzal.sink.store.up", storeUp, AtomicInteger::get)
        .description("1 when the sink's last contact with its store succeeded, else 0")
        .tag("store", store)
        .register(registry);
    // Freshness on the operations dashboard: time() minus this is how long ago the store last took a batch.
    TimeGauge.builder("quetzal.sink.last.write", lastWriteMillis, TimeUnit.MILLISECONDS, AtomicLong::get)
        .description("When the store last acknowledged a batch (epoch); 0 until the first one")
        .tag("store", store)
        .register(registry);
    Gauge.builder("quetzal.sink.held.records", heldCount, AtomicInteger::get)
        .description("Records polled but not yet acknowledged by the store (waiting for a retry or commit)")
        .tag("store", store)
        .register(registry);
    Counter recordsWritten =
        counter(registry, store, "quetzal.sink.records.written", "Records whose batch the store acknowledged (replays count again)");
    Counter writeFailures =
        counter(registry, store, "quetzal.sink.write.failures", "Failed write or setup attempts; the batch is kept and retried");
    Counter skipped =
        counter(registry, store, "quetzal.sink.records.skipped", "Records that could not be deserialized and were skipped");
    Counter rewinds =
        counter(registry, store, "quetzal.sink.rewinds", "Partitions read again because the store had lost records it acknowledged");
    Timer writeTimer =
        Timer.builder("quetzal.sink.batch.write")
            .description("Time to write one batch to the store")
            .tag("store", store)
            .register(registry);
    return new SinkMetrics(recordsWritten, writeFailures, skipped, rewinds, writeTimer);
  }

  private static Counter counter(MeterRegistry registry, String store, String name, String description) {
    return Counter.builder(name).description(description).tag("store", store).register(registry);
  }
}
