package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts on the Flight status a call fails with, as callers see it. */
final class Rejections {
  private Rejections() {}

  /** Runs {@code call}, expects it to fail with {@code code}, and returns the failure's description. */
  static String rejected(FlightStatusCode code, ThrowingCallable call) {
    FlightRuntimeException[] failure = new FlightRuntimeException[1];
    assertThatThrownBy(call).isInstanceOfSatisfying(FlightRuntimeException.class, e -> failure[0] = e)
        .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((FlightRuntimeException) e).status().code()).isEqualTo(code));
    return failure[0].status().description();
  }
}
