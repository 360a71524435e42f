package dev.flightcache.bench;

import java.time.Duration;

/**
 * How long a phase runs: a number of operations shared by all callers, or a time. Exactly one of
 * the two is set; a bound of zero requests is an empty phase (no warm-up).
 *
 * @param requests operations in all, shared by the callers; 0 when the phase is timed
 * @param duration how long the phase runs; null when it is counted
 */
record Bound(long requests, Duration duration) {
  static final Bound NONE = new Bound(0, null);

  Bound {
    if (requests < 0) {
      throw new IllegalArgumentException("a request count must be >= 0");
    }
    if (duration != null && (requests != 0 || duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("a duration must be > 0 and excludes a request count");
    }
  }

  /** {@code 1000} is a count, {@code 30s} a duration; {@code 0} is empty. */
  static Bound parse(String text) {
    if (Units.isDuration(text)) {
      return new Bound(0, Units.parseDuration(text));
    }
    try {
      return new Bound(Long.parseLong(text.trim()), null);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a count or a duration: '" + text + "' (e.g. 1000 or 30s)");
    }
  }

  boolean timed() {
    return duration != null;
  }

  boolean empty() {
    return duration == null && requests == 0;
  }

  @Override
  public String toString() {
    return timed() ? duration.toMillis() / 1000.0 + " s" : requests + " requests";
  }
}
