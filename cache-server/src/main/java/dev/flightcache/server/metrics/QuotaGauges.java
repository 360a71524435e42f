package dev.flightcache.server.metrics;

import dev.flightcache.server.quota.AppLimit;
import dev.flightcache.server.quota.AppQuotaUsage;
import dev.flightcache.server.quota.AppQuotas;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-app quota usage and limits as gauges, under the same app labels as {@link AppUsage}: the
 * first {@code metrics-max-apps} apps keep a label of their own, the rest are summed under
 * {@value AppUsage#OTHER}. Limits are shown for apps with their own label only (the apps under
 * "other" may each have a different one); no limit is {@code +Inf}. Thread-safe.
 */
final class QuotaGauges {
  private final MeterRegistry registry;
  private final AppUsage labels;
  private final Map<String, Values> valuesOfLabel = new HashMap<>();

  /** One label's gauges read these; written only under the sample lock. */
  private static final class Values {
    volatile double storedBytes;
    volatile double storedObjects;
    volatile double maxBytes = Double.POSITIVE_INFINITY;
    volatile double maxObjects = Double.POSITIVE_INFINITY;
  }

  QuotaGauges(MeterRegistry registry, AppUsage labels) {
    this.registry = registry;
    this.labels = labels;
  }

  /** Reads every app's usage and limit now. */
  synchronized void sample(AppQuotas quotas) {
    Map<String, AppQuotaUsage> ownRows = new HashMap<>();
    Map<String, long[]> sums = new HashMap<>();
    for (AppQuotaUsage row : quotas.snapshot()) {
      String label = labels.labelOf(row.app());
      long[] sum = sums.computeIfAbsent(label, l -> new long[2]);
      sum[0] += row.storedBytes();
      sum[1] += row.storedObjects();
      if (label.equals(row.app())) {
        ownRows.put(label, row);
      }
    }
    for (String label : sums.keySet()) {
      valuesOfLabel.computeIfAbsent(label, this::register);
    }
    valuesOfLabel.forEach((label, values) -> {
      long[] sum = sums.getOrDefault(label, new long[2]);
      values.storedBytes = sum[0];
      values.storedObjects = sum[1];
      AppQuotaUsage own = ownRows.get(label);
      AppLimit limit = own != null ? own.limit() : quotas.table().limitFor(label);
      values.maxBytes = limit.limitsBytes() ? limit.maxBytes() : Double.POSITIVE_INFINITY;
      values.maxObjects = limit.limitsObjects() ? limit.maxObjects() : Double.POSITIVE_INFINITY;
    });
  }

  private Values register(String label) {
    Values values = new Values();
    Gauge.builder("flight.cache.app.quota.stored", values, v -> v.storedBytes)
        .baseUnit("bytes").description("Disk the app's objects take, as its quota (and the budget) counts it")
        .tag("app", label).strongReference(true).register(registry);
    Gauge.builder("flight.cache.app.quota.objects", values, v -> v.storedObjects)
        .description("Objects the app stores, as its quota counts them").tag("app", label).strongReference(true).register(registry);
    if (!label.equals(AppUsage.OTHER)) {
      Gauge.builder("flight.cache.app.quota.limit", values, v -> v.maxBytes)
          .baseUnit("bytes").description("The app's quota of bytes; +Inf for none")
          .tag("app", label).strongReference(true).register(registry);
      Gauge.builder("flight.cache.app.quota.limit.objects", values, v -> v.maxObjects)
          .description("The app's quota of objects; +Inf for none").tag("app", label).strongReference(true).register(registry);
    }
    return values;
  }
}
