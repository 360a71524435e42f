package dev.flightcache.client;

/** The key holds no object (it was never put, or was deleted or evicted). */
public final class ObjectNotFoundException extends CacheException {
  public ObjectNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
