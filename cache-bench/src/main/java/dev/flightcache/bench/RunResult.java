package dev.flightcache.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The result of one workload: what it was, what it did, and its latency distribution. Prints as
 * a human-readable report and as one line of JSON. MB is 10^6 bytes.
 *
 * @param workload the workload's name
 * @param sizeBytes object (or patch) size, bytes
 * @param clients concurrent callers
 * @param clientPerThread whether each caller had its own client
 * @param via how get read (memory or file), or null
 * @param measurement what the measured phase saw
 * @param errors failed operations, including those the workload's own check found
 * @param firstError the first failure's message, or null
 * @param counters extra figures by their JSON names
 */
record RunResult(
    String workload, long sizeBytes, int clients, boolean clientPerThread, String via,
    LoadRunner.Measurement measurement, long errors, String firstError, Map<String, Long> counters) {

  RunResult {
    counters = new LinkedHashMap<>(counters);
  }

  double opsPerSecond() {
    return measurement.seconds() > 0 ? measurement.ops() / measurement.seconds() : 0;
  }

  double megabytesPerSecond() {
    return measurement.seconds() > 0 ? measurement.bytes() / measurement.seconds() / 1e6 : 0;
  }

  long percentileMicros(double percentile) {
    Histogram h = measurement.latencyMicros();
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile);
  }

  /**
   * An anchor's output: {@code header} and the report unless {@code jsonOnly}, then the JSON line.
   *
   * @return the exit code: 0 when every operation succeeded, 1 when any failed (in warm-up too)
   */
  int printAnchor(PrintStream out, boolean jsonOnly, String header) {
    if (!jsonOnly) {
      out.println(header);
      print(out);
    }
    out.println(json());
    return errors > 0 || measurement.warmupErrors() > 0 ? 1 : 0;
  }

  /** The summary as one JSON object on one line. */
  String json() {
    Histogram h = measurement.latencyMicros();
    StringBuilder out = new StringBuilder("{");
    field(out, "workload", quote(workload));
    field(out, "size", Long.toString(sizeBytes));
    field(out, "clients", Integer.toString(clients));
    field(out, "ops", Long.toString(measurement.ops()));
    field(out, "seconds", fixed(measurement.seconds(), 3));
    field(out, "ops_per_s", fixed(opsPerSecond(), 1));
    field(out, "mb_per_s", fixed(megabytesPerSecond(), 3));
    field(out, "p50_us", Long.toString(percentileMicros(50)));
    field(out, "p99_us", Long.toString(percentileMicros(99)));
    field(out, "p999_us", Long.toString(percentileMicros(99.9)));
    field(out, "max_us", Long.toString(h.getTotalCount() == 0 ? 0 : h.getMaxValue()));
    field(out, "mean_us", fixed(h.getTotalCount() == 0 ? 0 : h.getMean(), 1));
    field(out, "errors", Long.toString(errors));
    field(out, "first_error", firstError == null ? "null" : quote(firstError));
    field(out, "warmup_ops", Long.toString(measurement.warmupOps()));
    field(out, "warmup_errors", Long.toString(measurement.warmupErrors()));
    field(out, "client_per_thread", Boolean.toString(clientPerThread));
    field(out, "via", via == null ? "null" : quote(via));
    counters.forEach((name, value) -> field(out, name, Long.toString(value)));
    return out.append('}').toString();
  }

  /** The report for people, in the manner of redis-benchmark. */
  void print(PrintStream out) {
    out.printf(Locale.ROOT, "====== %s, %s, %d caller%s (%s)%s ======%n", workload, Units.formatSize(sizeBytes), clients,
        clients == 1 ? "" : "s", clientPerThread ? "a client each" : "one shared client", via == null ? "" : ", via " + via);
    out.printf(Locale.ROOT, "  measured      %d ops in %.3f s, after %d warm-up ops%n",
        measurement.ops(), measurement.seconds(), measurement.warmupOps());
    out.printf(Locale.ROOT, "  throughput    %.1f ops/s, %.3f MB/s (MB = 10^6 bytes)%n", opsPerSecond(), megabytesPerSecond());
    Histogram h = measurement.latencyMicros();
    out.printf(Locale.ROOT, "  latency (us)  p50 %d, p99 %d, p99.9 %d, max %d, mean %.1f%n", percentileMicros(50), percentileMicros(99),
        percentileMicros(99.9), h.getTotalCount() == 0 ? 0 : h.getMaxValue(), h.getTotalCount() == 0 ? 0 : h.getMean());
    counters.forEach((name, value) -> out.printf(Locale.ROOT, "  %-13s %d%n", name.replace('_', ' '), value));
    out.printf(Locale.ROOT, "  errors        %d measured, %d in warm-up%s%n", errors, measurement.warmupErrors(),
        firstError == null ? "" : "; first: " + firstError);
  }

  private static void field(StringBuilder out, String name, String jsonValue) {
    if (out.length() > 1) {
      out.append(',');
    }
    out.append('"').append(name).append("\":").append(jsonValue);
  }

  private static String fixed(double value, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  /** A JSON string literal. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
