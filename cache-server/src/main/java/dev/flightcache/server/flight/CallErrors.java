package dev.flightcache.server.flight;

import dev.flightcache.proto.InvalidKeyException;
import dev.flightcache.server.auth.PermissionDeniedException;
import dev.flightcache.server.eviction.StorageFullException;
import dev.flightcache.server.quota.QuotaExceededException;
import dev.flightcache.server.store.InvalidWriteException;
import dev.flightcache.server.store.LimitExceededException;
import dev.flightcache.server.store.ObjectNotFoundException;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one table from failures to Flight status codes; docs/protocol.md shows the same table.
 * Descriptions go over the wire: they name keys and limits, never files or stack traces.
 */
final class CallErrors {
  private static final Logger logger = LoggerFactory.getLogger(CallErrors.class);

  private CallErrors() {}

  static FlightRuntimeException toFlight(Throwable failure) {
    if (failure instanceof FlightRuntimeException flight) {
      return flight;
    }
    if (failure instanceof InvalidKeyException
        || failure instanceof InvalidRequestException
        || failure instanceof InvalidWriteException
        || failure instanceof LimitExceededException) {
      return CallStatus.INVALID_ARGUMENT.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof PermissionDeniedException) {
      return CallStatus.UNAUTHORIZED.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof StorageFullException || failure instanceof QuotaExceededException) {
      return CallStatus.RESOURCE_EXHAUSTED.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof RejectedExecutionException) {
      // A do_get that must wait for a key's lock moves to the call pool; a full pool is a
      // passing state, which clients retry.
      return CallStatus.UNAVAILABLE.withDescription("server busy: every call thread is in use").toRuntimeException();
    }
    if (failure instanceof ObjectNotFoundException) {
      return CallStatus.NOT_FOUND.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof IOException) {
      logger.error("Storage failure", failure);
      return CallStatus.INTERNAL.withDescription("storage error: " + failure.getClass().getSimpleName()).toRuntimeException();
    }
    logger.error("Unexpected failure", failure);
    return CallStatus.INTERNAL.withDescription("internal error").toRuntimeException();
  }
}
