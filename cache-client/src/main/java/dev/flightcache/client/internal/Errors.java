package dev.flightcache.client.internal;

import dev.flightcache.client.CacheException;
import dev.flightcache.client.CacheServerException;
import dev.flightcache.client.CacheUnavailableException;
import dev.flightcache.client.InvalidRequestException;
import dev.flightcache.client.ObjectNotFoundException;
import dev.flightcache.client.PermissionDeniedException;
import dev.flightcache.client.UnauthenticatedException;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * Turns Flight failures into the client's exceptions; the one place that knows the mapping. The
 * message is the call and the server's description, which never holds the caller's token: the
 * token travels only in a header, and neither Flight nor the server puts headers in statuses.
 */
public final class Errors {
  private Errors() {}

  /** @param what the call, as a user would name it ("get app/s/o") */
  public static CacheException translate(FlightRuntimeException failure, String what) {
    String description = failure.status().description();
    String message = what + ": " + (description == null || description.isEmpty() ? failure.status().code().toString() : description);
    FlightStatusCode code = failure.status().code();
    return switch (code) {
      case NOT_FOUND -> new ObjectNotFoundException(message, failure);
      case INVALID_ARGUMENT -> new InvalidRequestException(message, failure);
      case UNAUTHENTICATED -> new UnauthenticatedException(message + " (" + code + ")", failure);
      case UNAUTHORIZED -> new PermissionDeniedException(message + " (" + code + ")", failure);
      case UNAVAILABLE, TIMED_OUT -> new CacheUnavailableException(message + " (" + code + ")", failure);
      default -> new CacheServerException(message + " (" + code + ")", failure);
    };
  }

  /** Whether a failed read or delete may be sent again. */
  public static boolean retryable(FlightRuntimeException failure) {
    return failure.status().code() == FlightStatusCode.UNAVAILABLE;
  }
}
