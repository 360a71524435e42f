package dev.flightcache.server.flight;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per call: the producer notes what the call is about (key, versions, outcome, bytes) as it
 * goes, and when gRPC closes the call, or the client cancels a do_get, one {@link CallReport}
 * goes to the {@link CallObserver}. Fields are written by the call's threads one after another
 * and read once at the end; they are volatile or atomic so the report sees the last writes.
 */
final class CallTracking implements FlightServerMiddleware {
  static final Key<CallTracking> KEY = Key.of("flight-cache-call-tracking");
  private static final Logger logger = LoggerFactory.getLogger(CallTracking.class);
  /** For calls made without the middleware installed (tests that build a producer alone). */
  private static final CallTracking NONE = new CallTracking("none", 0, CallObserver.NONE, () -> 0);

  private final String method;
  private final long startedNanos;
  private final CallObserver observer;
  private final LongSupplier nanoTime;
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private final AtomicBoolean reported = new AtomicBoolean();
  private volatile String action;
  private volatile String key;
  private volatile long clientVersion = CallReport.NONE;
  private volatile long version = CallReport.NONE;
  private volatile GetOutcome outcome;
  private volatile List<CallReport.BatchedGet> batchedGets = List.of();

  private CallTracking(String method, long startedNanos, CallObserver observer, LongSupplier nanoTime) {
    this.method = method;
    this.startedNanos = startedNanos;
    this.observer = observer;
    this.nanoTime = nanoTime;
  }

  /** The call's tracking, or one that records nothing if the middleware is not installed. */
  static CallTracking of(CallContext context) {
    CallTracking tracking = context.getMiddleware(KEY);
    return tracking == null ? NONE : tracking;
  }

  void action(String type) {
    this.action = type;
  }

  void key(String keyOrPath) {
    this.key = keyOrPath;
  }

  void clientVersion(long held) {
    this.clientVersion = held;
  }

  void version(long stored) {
    this.version = stored;
  }

  void outcome(GetOutcome answer) {
    this.outcome = answer;
  }

  /** The gets a {@code GET_MANY} answered inline, all at once; their bytes count as sent. */
  void batchedGets(List<CallReport.BatchedGet> answered) {
    batchedGets = List.copyOf(answered);
    for (CallReport.BatchedGet get : answered) {
      addBytesOut(get.bytesOut());
    }
  }

  void addBytesIn(long bytes) {
    bytesIn.addAndGet(bytes);
  }

  void addBytesOut(long bytes) {
    bytesOut.addAndGet(bytes);
  }

  /** A do_get the client cancelled: gRPC never closes it, so report it here. */
  void cancelled() {
    report(FlightStatusCode.CANCELLED);
  }

  @Override
  public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

  @Override
  public void onCallCompleted(CallStatus status) {
    report(status.code());
  }

  @Override
  public void onCallErrored(Throwable err) {}

  private void report(FlightStatusCode code) {
    if (this == NONE || !reported.compareAndSet(false, true)) {
      return;
    }
    boolean ok = code == FlightStatusCode.OK;
    CallReport report = new CallReport(
        method, code.name(), action, key, clientVersion, ok ? version : CallReport.NONE, ok ? outcome : null,
        bytesIn.get(), bytesOut.get(), Math.max(0, nanoTime.getAsLong() - startedNanos),
        ok ? batchedGets : List.of());
    try {
      observer.callCompleted(report);
    } catch (RuntimeException e) {
      logger.warn("Recording a {} call failed: {}", method, e.toString());
    }
  }

  /** Starts tracking each call; {@code nanoTime} is the clock durations are measured with. */
  static final class Factory implements FlightServerMiddleware.Factory<CallTracking> {
    private final CallObserver observer;
    private final LongSupplier nanoTime;

    Factory(CallObserver observer, LongSupplier nanoTime) {
      this.observer = observer;
      this.nanoTime = nanoTime;
    }

    @Override
    public CallTracking onCallStarted(CallInfo info, CallHeaders headers, RequestContext context) {
      String method = info.method().name().toLowerCase(Locale.ROOT);
      return new CallTracking(method, nanoTime.getAsLong(), observer, nanoTime);
    }
  }
}
