package dev.flightcache.server;

import dev.flightcache.server.flight.CacheProducer;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.NoOpFlightProducer;

/**
 * The Flight port's producer while the server starts: it answers UNAVAILABLE, which clients
 * retry, until the index is recovered; then it forwards every call to the {@link CacheProducer}.
 * A call during recovery therefore never gets a wrong NOT_FOUND for an object not yet indexed.
 * do_put does not come here: {@link dev.flightcache.server.flight.PutService} serves it, behind
 * the same gate.
 */
final class StartingProducer extends NoOpFlightProducer {
  private volatile CacheProducer delegate;

  /** From now on, calls go to {@code producer}. */
  void ready(CacheProducer producer) {
    delegate = producer;
  }

  private FlightProducer ready() {
    CacheProducer producer = delegate;
    if (producer == null) {
      throw CallStatus.UNAVAILABLE.withDescription("server is starting: recovering its index").toRuntimeException();
    }
    return producer;
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    ready().getStream(context, ticket, listener);
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    ready().doAction(context, action, listener);
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    ready().listActions(context, listener);
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    return ready().getFlightInfo(context, descriptor);
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    return ready().getSchema(context, descriptor);
  }

  @Override
  public void listFlights(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    ready().listFlights(context, criteria, listener);
  }
}
