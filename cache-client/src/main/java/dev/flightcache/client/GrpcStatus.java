package dev.flightcache.client;

import io.grpc.Status;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * The {@link FlightRuntimeException} that Flight's own client would raise for a gRPC status, for
 * the calls made with gRPC directly ({@link DirectGet}, {@link GetManyCall}). Built with Flight's
 * public {@link CallStatus}, not its internal {@code StatusUtils} (marked "NOT A PUBLIC CLASS"),
 * with the same code table.
 */
final class GrpcStatus {
  private GrpcStatus() {}

  static FlightRuntimeException toFlight(Status status) {
    return new CallStatus(code(status.getCode()), status.getCause(), status.getDescription(), null).toRuntimeException();
  }

  private static FlightStatusCode code(Status.Code code) {
    return switch (code) {
      case OK -> FlightStatusCode.OK;
      case CANCELLED -> FlightStatusCode.CANCELLED;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> FlightStatusCode.INVALID_ARGUMENT;
      case RESOURCE_EXHAUSTED -> FlightStatusCode.RESOURCE_EXHAUSTED;
      case DEADLINE_EXCEEDED -> FlightStatusCode.TIMED_OUT;
      case NOT_FOUND -> FlightStatusCode.NOT_FOUND;
      case ALREADY_EXISTS -> FlightStatusCode.ALREADY_EXISTS;
      case PERMISSION_DENIED -> FlightStatusCode.UNAUTHORIZED;
      case UNIMPLEMENTED -> FlightStatusCode.UNIMPLEMENTED;
      case ABORTED, INTERNAL, DATA_LOSS -> FlightStatusCode.INTERNAL;
      case UNAVAILABLE -> FlightStatusCode.UNAVAILABLE;
      case UNAUTHENTICATED -> FlightStatusCode.UNAUTHENTICATED;
      default -> FlightStatusCode.UNKNOWN;
    };
  }
}
