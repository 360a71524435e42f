package dev.flightcache.server;

import dev.flightcache.server.flight.CacheProducer;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.NoOpFlightProducer;

/**
 * Forwards to the {@link CacheProducer} once the bound port, and so the advertised endpoint, is
 * known; a call that arrives in the moment before answers UNAVAILABLE, so clients retry.
 */
final class AdvertisedProducer extends NoOpFlightProducer {
  volatile CacheProducer delegate;

  private FlightProducer ready() {
    CacheProducer producer = delegate;
    if (producer == null) {
      throw CallStatus.UNAVAILABLE.withDescription("server is starting").toRuntimeException();
    }
    return producer;
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    ready().getStream(context, ticket, listener);
  }

  @Override
  public Runnable acceptPut(CallContext context, FlightStream stream, StreamListener<PutResult> ack) {
    return ready().acceptPut(context, stream, ack);
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
