package dev.flightcache.server.metrics;

import dev.flightcache.server.flight.CallObserver;
import dev.flightcache.server.eviction.DiskBudget;
import dev.flightcache.server.eviction.EvictionReason;
import dev.flightcache.server.quota.AppQuotas;
import dev.flightcache.server.store.FileObjectStore;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The server's meters, in a registry of their own. Built before recovery, so the metrics port
 * answers while the index is rebuilt; {@link #bindServer} adds the store's meters once it is
 * open. {@link #scrape()} refreshes what is sampled and renders the Prometheus text format.
 * Thread-safe.
 */
public final class CacheMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final AppUsage usage;
  private final QuotaGauges quotas;
  private final CallMetrics calls;
  private volatile FileObjectStore store;

  /**
   * @param clock the time latencies and byte-seconds are measured with
   * @param maxApps how many apps get a label of their own in per-app usage
   */
  public CacheMetrics(Clock clock, int maxApps) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.usage = new AppUsage(registry, clock, maxApps);
    this.quotas = new QuotaGauges(registry, usage);
    this.calls = new CallMetrics(registry, usage);
  }

  /** The observer that meters every finished Flight call. */
  public CallObserver calls() {
    return calls;
  }

  /**
   * Adds the meters of a recovered store and its server.
   *
   * @param recovery how long rebuilding the index took
   * @param ready whether the server is ready, as /readyz last found it
   */
  public void bindServer(FileObjectStore store, BufferAllocator allocator, Duration recovery, BooleanSupplier ready) {
    this.store = store;
    DiskBudget budget = store.budget();
    Gauge.builder("flight.cache.objects", store, FileObjectStore::objectCount)
        .description("Objects stored").register(registry);
    Gauge.builder("flight.cache.stored", budget, DiskBudget::storedBytes)
        .baseUnit("bytes").description("Disk the objects take, in whole blocks, as the budget counts it").register(registry);
    Gauge.builder("flight.cache.reserved", budget, DiskBudget::reservedBytes)
        .baseUnit("bytes").description("Disk reserved by writes in progress").register(registry);
    Gauge.builder("flight.cache.budget", budget, b -> b.settings().budgetBytes())
        .baseUnit("bytes").description("The byte budget eviction keeps stored bytes under").register(registry);
    for (EvictionReason reason : EvictionReason.values()) {
      FunctionCounter.builder("flight.cache.evictions", store.policy(), p -> p.evictions(reason))
          .description("Objects evicted, by reason: size (the budget needed room) or idle (idle-ttl)")
          .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
    }
    String rejected = "Writes refused: full (RESOURCE_EXHAUSTED, no room now), quota (RESOURCE_EXHAUSTED, the app is over"
        + " its quota) or too_large (could never fit)";
    FunctionCounter.builder("flight.cache.rejected.writes", budget, DiskBudget::rejectedFull)
        .description(rejected).tag("reason", "full").register(registry);
    FunctionCounter.builder("flight.cache.rejected.writes", store.quotas(), AppQuotas::rejectedWrites)
        .description(rejected).tag("reason", "quota").register(registry);
    FunctionCounter.builder("flight.cache.rejected.writes", budget, DiskBudget::rejectedTooLarge)
        .description(rejected).tag("reason", "too_large").register(registry);
    FunctionCounter.builder("flight.cache.evicted.for.refused.writes", budget, DiskBudget::evictedForRefusedWrites)
        .baseUnit("bytes")
        .description("Bytes evicted to make room for writes that then did not commit (refused, cancelled or failed); 0 normally")
        .register(registry);
    Gauge.builder("flight.cache.storage.free", store, s -> space(s, FileStore::getUsableSpace))
        .baseUnit("bytes").description("Usable space left on the storage directory's file system").register(registry);
    Gauge.builder("flight.cache.storage.total", store, s -> space(s, FileStore::getTotalSpace))
        .baseUnit("bytes").description("Size of the storage directory's file system").register(registry);
    // Gauges hold their object weakly; these two objects have no other owner.
    TimeGauge.builder("flight.cache.recovery.duration", recovery, TimeUnit.SECONDS, d -> d.toNanos() / 1e9)
        .strongReference(true).description("How long rebuilding the index took at start").register(registry);
    Gauge.builder("flight.cache.arrow.allocated", allocator, BufferAllocator::getAllocatedMemory)
        .baseUnit("bytes").description("Arrow memory in use by calls in progress").register(registry);
    Gauge.builder("flight.cache.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
        .strongReference(true).description("1 when the index is recovered and the storage is writable").register(registry);
    sample();
  }

  /** Refreshes the per-app usage from the index (one pass over it) and the quota usage. */
  public void sample() {
    FileObjectStore bound = store;
    if (bound != null) {
      usage.sample(bound.list(""));
      quotas.sample(bound.quotas());
    }
  }

  /** Samples, then renders every meter in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    sample();
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }

  /** A measure of the storage's file system, or NaN if it cannot be read. */
  private static double space(FileObjectStore store, SpaceMeasure measure) {
    try {
      return measure.of(Files.getFileStore(store.tempDir()));
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  @FunctionalInterface
  private interface SpaceMeasure {
    long of(FileStore fileStore) throws IOException;
  }
}
