package dev.flightcache.server.flight;

import dev.flightcache.proto.Protocol;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;

/** Remembers whether the caller sent {@link Protocol#HEADER_CHUNKED_ROWS}. */
final class ChunkedRowsMiddleware implements FlightServerMiddleware {
  static final Key<ChunkedRowsMiddleware> KEY = Key.of("flight-cache-chunked-rows");

  private final boolean accepted;

  private ChunkedRowsMiddleware(boolean accepted) {
    this.accepted = accepted;
  }

  boolean accepted() {
    return accepted;
  }

  @Override
  public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

  @Override
  public void onCallCompleted(CallStatus status) {}

  @Override
  public void onCallErrored(Throwable err) {}

  /** Creates one per call. */
  static final class Factory implements FlightServerMiddleware.Factory<ChunkedRowsMiddleware> {
    @Override
    public ChunkedRowsMiddleware onCallStarted(CallInfo info, CallHeaders headers, RequestContext context) {
      return new ChunkedRowsMiddleware(headers.containsKey(Protocol.HEADER_CHUNKED_ROWS));
    }
  }
}
