package dev.flightcache.client;

/**
 * The server knows the caller, but its grants do not allow this call on this key or scope
 * (Flight's UNAUTHORIZED). The server decides before looking anything up, so the refusal says
 * nothing about whether the key exists. The message never contains the token.
 */
public final class PermissionDeniedException extends CacheException {
  public PermissionDeniedException(String message, Throwable cause) {
    super(message, cause);
  }
}
