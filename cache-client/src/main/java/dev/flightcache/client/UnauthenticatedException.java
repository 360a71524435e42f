package dev.flightcache.client;

/**
 * The server did not accept the caller's credentials (UNAUTHENTICATED): no token where one is
 * required, an unknown token, or a signed token that is expired or tampered with. Retrying with
 * the same credentials cannot succeed. The message never contains the token.
 */
public final class UnauthenticatedException extends CacheException {
  public UnauthenticatedException(String message, Throwable cause) {
    super(message, cause);
  }
}
