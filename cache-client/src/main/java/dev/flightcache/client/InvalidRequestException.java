package dev.flightcache.client;

/**
 * The server refused the request as invalid (INVALID_ARGUMENT): a bad payload, a limit the
 * object can never fit, a patch of a table. Retrying the same request cannot succeed.
 */
public class InvalidRequestException extends CacheException {
  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
