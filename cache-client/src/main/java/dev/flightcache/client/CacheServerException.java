package dev.flightcache.client;

/** The server failed the call for a reason of its own (INTERNAL and other statuses). */
public final class CacheServerException extends CacheException {
  public CacheServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
