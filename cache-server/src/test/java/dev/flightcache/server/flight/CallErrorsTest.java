package dev.flightcache.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.store.ObjectNotFoundException;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.grpc.StatusUtils;
import org.junit.jupiter.api.Test;

class CallErrorsTest {
  @Test
  void fullCallPool_unavailable() {
    assertThat(CallErrors.toFlight(new RejectedExecutionException("pool full")).status().code())
        .isEqualTo(FlightStatusCode.UNAVAILABLE);
  }

  @Test
  void notFound_storageFailure_andUnknown_keepTheirCodes() {
    assertThat(CallErrors.toFlight(new ObjectNotFoundException("object a/b/c not found")).status().code())
        .isEqualTo(FlightStatusCode.NOT_FOUND);
    assertThat(CallErrors.toFlight(new IOException("disk")).status().code()).isEqualTo(FlightStatusCode.INTERNAL);
    assertThat(CallErrors.toFlight(new IllegalStateException("bug")).status().description()).isEqualTo("internal error");
  }

  @Test
  void toGrpc_everyFlightCode_sameGrpcCodeAsFlightsOwnServer() {
    for (FlightStatusCode code : FlightStatusCode.values()) {
      var failure = code.toStatus().withDescription("why").toRuntimeException();
      assertThat(CallErrors.toGrpc(failure).getCode()).as("%s", code)
          .isEqualTo(StatusUtils.toGrpcStatus(failure.status()).getCode());
      assertThat(CallErrors.toGrpc(failure).getDescription()).isEqualTo("why");
    }
  }

  @Test
  void volumeOutOfSpaceOrInodes_resourceExhaustedNotInternal() {
    var failure = CallErrors.toFlight(new java.nio.file.FileSystemException("/data/tmp/x.put: No space left on device"));
    assertThat(failure.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
    assertThat(failure.status().description()).doesNotContain("/data");
    assertThat(CallErrors.toFlight(new IOException("Disk quota exceeded")).status().code())
        .isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
  }
}
