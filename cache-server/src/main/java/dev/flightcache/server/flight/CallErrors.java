package dev.flightcache.server.flight;

import dev.flightcache.proto.InvalidKeyException;
import dev.flightcache.server.auth.PermissionDeniedException;
import dev.flightcache.server.eviction.StorageFullException;
import dev.flightcache.server.quota.QuotaExceededException;
import dev.flightcache.server.store.InvalidWriteException;
import dev.flightcache.server.store.LimitExceededException;
import dev.flightcache.server.store.ObjectNotFoundException;
import io.grpc.Status;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
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
    if (failure instanceof IOException && outOfSpace(failure)) {
      // The volume ran out of blocks or inodes under the budget's feet (its free-space floor
      // counts bytes only): full right now, as the budget's own refusal is, not a server fault.
      logger.warn("Storage full: {}", failure.toString());
      return CallStatus.RESOURCE_EXHAUSTED
          .withDescription("cache storage is full: the volume has no space left (bytes or inodes); retry later")
          .toRuntimeException();
    }
    if (failure instanceof IOException) {
      logger.error("Storage failure", failure);
      return CallStatus.INTERNAL.withDescription("storage error: " + failure.getClass().getSimpleName()).toRuntimeException();
    }
    logger.error("Unexpected failure", failure);
    return CallStatus.INTERNAL.withDescription("internal error").toRuntimeException();
  }

  /**
   * ENOSPC or EDQUOT, which Java names only in the message of an {@code IOException} (often a
   * {@code FileSystemException}).
   */
  private static boolean outOfSpace(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage();
      if (message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The gRPC status a Flight failure is sent as, for the calls served at the gRPC level (do_put,
   * see {@link PutService}): the same codes as Flight's own server, through its public {@link
   * CallStatus} rather than its internal {@code StatusUtils} (marked "NOT A PUBLIC CLASS").
   */
  static Status toGrpc(FlightRuntimeException failure) {
    CallStatus status = failure.status();
    return grpcCode(status.code()).toStatus().withDescription(status.description()).withCause(status.cause());
  }

  private static Status.Code grpcCode(FlightStatusCode code) {
    return switch (code) {
      case OK -> Status.Code.OK;
      case INTERNAL -> Status.Code.INTERNAL;
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case TIMED_OUT -> Status.Code.DEADLINE_EXCEEDED;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
      case CANCELLED -> Status.Code.CANCELLED;
      case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
      case UNAUTHORIZED -> Status.Code.PERMISSION_DENIED;
      case UNIMPLEMENTED -> Status.Code.UNIMPLEMENTED;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
      case UNKNOWN -> Status.Code.UNKNOWN;
    };
  }
}
