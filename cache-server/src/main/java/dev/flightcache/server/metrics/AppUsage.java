package dev.flightcache.server.metrics;

import dev.flightcache.server.store.ObjectEntry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-app usage a team can bill from: bytes stored, bytes served, and byte-seconds stored.
 *
 * <p>Label cardinality is bounded: the first {@code maxApps} apps seen keep a label of their own
 * for the life of the process, and every later app is counted under {@value #OTHER}.
 *
 * <p>Stored bytes are sampled from the index ({@link #sample}); byte-seconds add, at each sample,
 * the bytes stored now times the time since the previous sample, so they are exact for what stays
 * stored and off by at most one sample interval for what comes and goes between samples.
 * Thread-safe.
 */
final class AppUsage {
  static final String OTHER = "other";

  private final MeterRegistry registry;
  private final Clock clock;
  private final int maxApps;
  /** The apps with a label of their own; never more than {@code maxApps}. */
  private final Set<String> ownLabels = ConcurrentHashMap.newKeySet();
  private final Map<String, Usage> usageOfLabel = new ConcurrentHashMap<>();
  private long lastSampleNanos;

  /** One label's meters and the values behind them. */
  private static final class Usage {
    volatile long storedBytes;
    /** Written only under the sample lock; read by scrapes. */
    volatile double byteSeconds;
    Counter served;
  }

  AppUsage(MeterRegistry registry, Clock clock, int maxApps) {
    this.registry = registry;
    this.clock = clock;
    this.maxApps = maxApps;
    this.lastSampleNanos = clock.monotonicTime();
  }

  /** Adds bytes served to a caller of one of {@code app}'s objects. */
  void served(String app, long bytes) {
    if (bytes > 0) {
      usage(app).served.increment(bytes);
    }
  }

  /** Samples stored bytes per app from every index entry, and adds byte-seconds since the last sample. */
  synchronized void sample(Iterable<ObjectEntry> entries) {
    Map<Usage, Long> stored = new HashMap<>();
    for (ObjectEntry entry : entries) {
      stored.merge(usage(entry.key().app()), entry.sizeBytes(), Long::sum);
    }
    long now = clock.monotonicTime();
    double seconds = Math.max(0, now - lastSampleNanos) / 1e9;
    lastSampleNanos = now;
    for (Usage usage : usageOfLabel.values()) {
      long bytes = stored.getOrDefault(usage, 0L);
      usage.storedBytes = bytes;
      usage.byteSeconds += bytes * seconds;
    }
  }

  /**
   * The label an app is counted under: its own name while fewer than {@code maxApps} apps have
   * one, else "other". Apps folded into "other" are not remembered, so memory stays bounded.
   */
  String labelOf(String app) {
    if (ownLabels.contains(app)) {
      return app;
    }
    synchronized (ownLabels) {
      if (ownLabels.size() < maxApps) {
        ownLabels.add(app);
        return app;
      }
      return ownLabels.contains(app) ? app : OTHER;
    }
  }

  private Usage usage(String app) {
    return usageOfLabel.computeIfAbsent(labelOf(app), this::register);
  }

  private Usage register(String label) {
    Usage usage = new Usage();
    Gauge.builder("flight.cache.app.stored", usage, u -> u.storedBytes)
        .baseUnit("bytes").description("Bytes of the app's objects at the last sample").tag("app", label).register(registry);
    FunctionCounter.builder("flight.cache.app.stored.byte.seconds", usage, u -> u.byteSeconds)
        .description("Bytes stored times seconds stored, summed over samples").tag("app", label).register(registry);
    usage.served = Counter.builder("flight.cache.app.served")
        .baseUnit("bytes").description("Payload bytes sent to gets of the app's objects").tag("app", label).register(registry);
    return usage;
  }
}
