package dev.flightcache.server.flight;

import java.util.List;

/**
 * Told about every Flight call once it has finished: the hook for metrics and the access log.
 * Called on gRPC or call threads, concurrently; implementations are thread-safe, fast, and never
 * throw (a failure here must not fail a call that has already been answered).
 */
@FunctionalInterface
public interface CallObserver {
  CallObserver NONE = report -> {};

  void callCompleted(CallReport report);

  /** One observer that tells each of {@code observers}, in order. */
  static CallObserver all(List<CallObserver> observers) {
    List<CallObserver> copy = List.copyOf(observers);
    return report -> copy.forEach(observer -> observer.callCompleted(report));
  }
}
