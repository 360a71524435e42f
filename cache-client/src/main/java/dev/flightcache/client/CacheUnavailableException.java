package dev.flightcache.client;

/**
 * The server could not be reached, or did not answer within the call deadline, after any retries
 * the retry policy allows. The request may or may not have taken effect if it was a write.
 */
public final class CacheUnavailableException extends CacheException {
  public CacheUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
