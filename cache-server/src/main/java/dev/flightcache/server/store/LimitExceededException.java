package dev.flightcache.server.store;

/** A write goes past a configured limit that it can never fit (object size, patch count). */
public final class LimitExceededException extends RuntimeException {
  public LimitExceededException(String message) {
    super(message);
  }
}
