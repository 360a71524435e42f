package dev.flightcache.client;

/** A key or path breaks the key rules; thrown before any call is made. */
public final class InvalidKeyException extends InvalidRequestException {
  public InvalidKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
