package dev.flightcache.server.flight;

import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link ResponseBody} as gRPC's readiness allows: it sends while the listener is ready,
 * returns when it is not, and is called again by the listener's ready signal. No thread waits
 * per stream, and at most about gRPC's backpressure threshold is buffered per call.
 */
final class StreamPump implements Runnable {
  private static final Logger logger = LoggerFactory.getLogger(StreamPump.class);

  private final ServerStreamListener listener;
  private final ResponseBody body;
  private final AutoCloseable resources;
  private final CallTracking call;
  private boolean finished;

  private StreamPump(ServerStreamListener listener, ResponseBody body, AutoCloseable resources, CallTracking call) {
    this.listener = listener;
    this.body = body;
    this.resources = resources;
    this.call = call;
  }

  /**
   * Starts sending {@code body}; {@code resources} are closed with it when the call ends. The bytes
   * sent, and a cancellation by the client, are noted in {@code call}. A failure to start ends the
   * call with an error; this never throws.
   *
   * <p>This may run on a worker thread while the call's event loop already delivers ready signals
   * (see {@link GetResponder}: a do_get waiting for a key's lock moves off the event loop). The
   * pump's lock is held until the schema is out and the first batches are sent, so a ready signal
   * never sends a batch before the schema, and never races the first sends: gRPC's call is not
   * thread-safe, and two threads sending its first message would both send headers.
   */
  static void start(ServerStreamListener listener, ResponseBody body, AutoCloseable resources, CallTracking call) {
    StreamPump pump = new StreamPump(listener, body, resources, call);
    synchronized (pump) {
      try {
        listener.setUseZeroCopy(true);
        listener.setOnCancelHandler(pump::cancel);
        listener.setOnReadyHandler(pump);
        listener.start(body.root());
      } catch (Throwable failure) {
        pump.fail(failure);
        return;
      }
      pump.run();
    }
  }

  @Override
  public synchronized void run() {
    if (finished) {
      return;
    }
    if (listener.isCancelled()) {
      // Cancelled before the handler was set (while the call waited for a worker): the signal is
      // gone, and a cancelled stream never becomes ready again.
      cancel();
      return;
    }
    try {
      while (listener.isReady()) {
        if (!body.loadNext()) {
          listener.completed();
          finish();
          return;
        }
        listener.putNext();
        call.addBytesOut(body.loadedBytes());
      }
    } catch (Throwable failure) {
      fail(failure);
    }
  }

  private void fail(Throwable failure) {
    finish();
    listener.error(CallErrors.toFlight(failure));
  }

  private synchronized void cancel() {
    logger.debug("do_get cancelled by the client");
    finish();
    call.cancelled();
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      body.close();
    } catch (Exception e) {
      logger.warn("Closing a response failed: {}", e.toString());
    }
    try {
      resources.close();
    } catch (Exception e) {
      logger.warn("Closing an object snapshot failed: {}", e.toString());
    }
  }
}
