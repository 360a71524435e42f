package dev.flightcache.server.flight;

/** A call the protocol does not allow: a wrong schema, no payload, an unknown action. */
final class InvalidRequestException extends RuntimeException {
  InvalidRequestException(String message) {
    super(message);
  }
}
