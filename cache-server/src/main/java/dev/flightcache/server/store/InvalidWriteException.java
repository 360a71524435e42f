package dev.flightcache.server.store;

/** A write the store refuses as it stands (a patch of a native table, an empty payload). */
public final class InvalidWriteException extends RuntimeException {
  public InvalidWriteException(String message) {
    super(message);
  }
}
