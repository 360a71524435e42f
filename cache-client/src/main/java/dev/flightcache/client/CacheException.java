package dev.flightcache.client;

/**
 * Base of every exception the client throws. Unchecked; the message carries the server's
 * description where there is one, and never a credential.
 */
public class CacheException extends RuntimeException {
  public CacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
