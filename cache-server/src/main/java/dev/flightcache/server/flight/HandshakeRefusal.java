package dev.flightcache.server.flight;

import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightMethod;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;

/**
 * Answers Handshake with UNIMPLEMENTED, as flame does. Without it, Arrow completes a handshake
 * through its no-op auth handler, which tells a client that authentication happened.
 */
final class HandshakeRefusal implements FlightServerMiddleware.Factory<FlightServerMiddleware> {
  static final FlightServerMiddleware.Key<FlightServerMiddleware> KEY = FlightServerMiddleware.Key.of("flight-cache-handshake");

  @Override
  public FlightServerMiddleware onCallStarted(CallInfo info, CallHeaders headers, RequestContext context) {
    if (info.method() == FlightMethod.HANDSHAKE) {
      throw CallStatus.UNIMPLEMENTED.withDescription("Handshake not implemented").toRuntimeException();
    }
    return NONE;
  }

  private static final FlightServerMiddleware NONE = new FlightServerMiddleware() {
    @Override
    public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

    @Override
    public void onCallCompleted(CallStatus status) {}

    @Override
    public void onCallErrored(Throwable err) {}
  };
}
