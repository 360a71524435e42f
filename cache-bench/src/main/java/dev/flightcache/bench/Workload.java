package dev.flightcache.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One kind of operation, as the {@link LoadRunner} drives it: prepared once, then called by many
 * callers at once. Implementations are thread-safe for distinct callers.
 */
interface Workload extends AutoCloseable {
  /** Creates what the callers need (objects, files); not measured. */
  void prepare() throws Exception;

  /** Upkeep before an operation of caller {@code caller}, not measured (e.g. resetting a patched object). */
  default void beforeOperation(int caller) throws Exception {}

  /**
   * One operation of caller {@code caller}, measured.
   *
   * @return the payload bytes it moved
   * @throws Exception when the operation failed or its answer was wrong; counted as an error
   */
  long operate(int caller) throws Exception;

  /** Called once between warm-up and measurement, while no operation runs. */
  default void measurementStarts() {}

  /**
   * Called once after measurement, while no operation runs, with the number of operations that
   * succeeded; returns what the operations could not judge themselves.
   */
  default Check measurementEnded(long ops) {
    return Check.PASSED;
  }

  /** How get reads: {@code memory} or {@code file}; null where it does not apply. */
  default String via() {
    return null;
  }

  /** Removes local files the workload made. The session on the server is deleted by the caller. */
  @Override
  default void close() throws Exception {}

  /**
   * What a workload found after measurement.
   *
   * @param errors operations that succeeded as calls but were wrong for the workload
   * @param firstError what was wrong, or null
   * @param counters extra figures for the summary, by their JSON names, in order
   */
  record Check(long errors, String firstError, Map<String, Long> counters) {
    static final Check PASSED = new Check(0, null, Map.of());

    public Check {
      counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }
  }
}
