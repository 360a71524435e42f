package dev.flightcache.client;

import java.time.Duration;

/**
 * How often and how patiently the client retries a call the server could not be reached for.
 * Only reads and deletes are retried, and only on UNAVAILABLE: a write whose answer was lost may
 * have taken effect, so it is never sent twice.
 *
 * @param maxAttempts total attempts, at least 1 (1 means no retry)
 * @param initialBackoff wait before the first retry; doubled each time
 * @param maxBackoff the longest wait between attempts
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  /** Three attempts, 50 ms then 100 ms apart. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofSeconds(1));

  /** One attempt. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoffs must be >= 0 and maxBackoff >= initialBackoff");
    }
  }

  /** The wait before attempt {@code attempt} (2, 3, ...). */
  Duration backoffBefore(int attempt) {
    long millis = initialBackoff.toMillis() << Math.min(20, attempt - 2);
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }
}
