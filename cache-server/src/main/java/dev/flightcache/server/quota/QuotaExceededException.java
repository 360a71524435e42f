package dev.flightcache.server.quota;

/**
 * A write that would take its app past the app's quota of bytes or objects (RESOURCE_EXHAUSTED).
 * The message names the app and the limit; it is safe to send to the caller.
 */
public final class QuotaExceededException extends RuntimeException {
  public QuotaExceededException(String message) {
    super(message);
  }
}
