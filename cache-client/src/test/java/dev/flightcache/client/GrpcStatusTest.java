package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;

class GrpcStatusTest {
  @Test
  void toFlight_everyStatusTheServerAnswers_sameCodeAsFlightsOwnClient() {
    Map<Status.Code, FlightStatusCode> expected = Map.of(
        Status.Code.INVALID_ARGUMENT, FlightStatusCode.INVALID_ARGUMENT,
        Status.Code.RESOURCE_EXHAUSTED, FlightStatusCode.RESOURCE_EXHAUSTED,
        Status.Code.NOT_FOUND, FlightStatusCode.NOT_FOUND,
        Status.Code.PERMISSION_DENIED, FlightStatusCode.UNAUTHORIZED,
        Status.Code.UNAUTHENTICATED, FlightStatusCode.UNAUTHENTICATED,
        Status.Code.UNAVAILABLE, FlightStatusCode.UNAVAILABLE,
        Status.Code.UNIMPLEMENTED, FlightStatusCode.UNIMPLEMENTED,
        Status.Code.INTERNAL, FlightStatusCode.INTERNAL,
        Status.Code.DEADLINE_EXCEEDED, FlightStatusCode.TIMED_OUT,
        Status.Code.CANCELLED, FlightStatusCode.CANCELLED);
    expected.forEach((grpc, flight) -> {
      FlightRuntimeException failure = GrpcStatus.toFlight(grpc.toStatus().withDescription("why"));
      assertThat(failure.status().code()).as("%s", grpc).isEqualTo(flight);
      assertThat(failure.status().description()).isEqualTo("why");
    });
  }
}
