package dev.flightcache.server.store;

/** The key names no stored object. */
public final class ObjectNotFoundException extends RuntimeException {
  public ObjectNotFoundException(String message) {
    super(message);
  }
}
