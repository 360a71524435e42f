package dev.flightcache.server.metrics;

import dev.flightcache.server.flight.CallObserver;
import dev.flightcache.server.flight.CallReport;
import dev.flightcache.server.flight.GetOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Meters every finished Flight call: a latency histogram per method and status, gets by outcome
 * (each get inside a {@code GET_MANY} counts as one),
 * payload bytes in and out, and bytes served per app. Labels are the RPC, the status code and
 * the outcome, all from fixed sets; keys and sessions never become labels. Thread-safe.
 */
final class CallMetrics implements CallObserver {
  /** Histogram buckets: from a cached "not modified" to a multi-gigabyte transfer. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5)
  };

  private final MeterProvider<Timer> calls;
  private final Map<GetOutcome, Counter> gets = new EnumMap<>(GetOutcome.class);
  private final Counter received;
  private final Counter sent;
  private final AppUsage usage;

  CallMetrics(MeterRegistry registry, AppUsage usage) {
    this.usage = usage;
    this.calls = Timer.builder("flight.cache.calls")
        .description("Flight calls by RPC and status code, from start until the status was sent")
        .serviceLevelObjectives(BUCKETS)
        .withRegistry(registry);
    for (GetOutcome outcome : GetOutcome.values()) {
      gets.put(outcome, Counter.builder("flight.cache.gets")
          .description("Answered gets by outcome: full, patch_only or not_modified")
          .tag("outcome", outcome.label())
          .register(registry));
    }
    this.received = Counter.builder("flight.cache.received")
        .baseUnit("bytes").description("Payload bytes received by uploads and patches").register(registry);
    this.sent = Counter.builder("flight.cache.sent")
        .baseUnit("bytes").description("Payload bytes sent by gets").register(registry);
  }

  @Override
  public void callCompleted(CallReport report) {
    calls.withTags("method", report.method(), "status", report.status())
        .record(report.durationNanos(), TimeUnit.NANOSECONDS);
    if (report.outcome() != null) {
      gets.get(report.outcome()).increment();
    }
    received.increment(report.bytesIn());
    sent.increment(report.bytesOut());
    if (report.batchedGets().isEmpty()) {
      String app = report.app();
      if (app != null && report.bytesOut() > 0) {
        usage.served(app, report.bytesOut());
      }
      return;
    }
    for (CallReport.BatchedGet get : report.batchedGets()) {
      gets.get(get.outcome()).increment();
      if (get.bytesOut() > 0) {
        usage.served(get.app(), get.bytesOut());
      }
    }
  }
}
