package dev.flightcache.server.eviction;

/** A write that cannot be made to fit right now, even after eviction (RESOURCE_EXHAUSTED). */
public final class StorageFullException extends RuntimeException {
  public StorageFullException(String message) {
    super(message);
  }
}
