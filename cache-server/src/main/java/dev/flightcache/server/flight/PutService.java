package dev.flightcache.server.flight;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.auth.ServerAuthHandler;
import org.apache.arrow.flight.auth.ServerAuthInterceptor;
import org.apache.arrow.flight.grpc.ServerBackpressureThresholdInterceptor;
import org.apache.arrow.flight.grpc.ServerInterceptorAdapter;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Serves Flight's DoPut at the gRPC level instead of through Arrow's {@code FlightStream}.
 *
 * <p>Arrow 19 decodes every uploaded batch into vectors sized by what its header claims, parks a
 * call thread in {@code FlightStream} for as long as the client takes (forever once a client is
 * cancelled early), and leaks a truncated body. Here DoPut's requests reach {@link PutHandler} as
 * raw message streams: each message is read and checked by us ({@link PutMessage}, {@link
 * IpcHeaders}, {@link BatchDecoder}) before anything it claims is allocated, and the call is a
 * gRPC listener with manual flow control, so no thread waits for the client and a cancel releases
 * the upload at once.
 *
 * <p>gRPC keys services by name, and a service added later replaces an earlier one of the same
 * name. {@link #install} therefore adds, through Arrow's {@code grpc.builderConsumer} hook (which
 * runs after Arrow added its own service), a copy of Arrow's Flight service built by Arrow's public
 * {@link FlightGrpcUtils#createFlightService} with the same producer, executor and interceptors as
 * {@link FlightServer} uses, in which only DoPut is ours. Flight middleware is a server-wide
 * interceptor, so it still runs for DoPut. Thread-safe.
 */
public final class PutService implements ServerCallHandler<InputStream, Flight.PutResult> {
  /** DoPut with its requests left as gRPC's message streams. */
  static final MethodDescriptor<InputStream, Flight.PutResult> DO_PUT =
      FlightServiceGrpc.getDoPutMethod().toBuilder(new RawMessages(), ProtoUtils.marshaller(Flight.PutResult.getDefaultInstance()))
          .build();

  private final long maxBatchBytes;
  private volatile CacheProducer producer;

  /** @param maxBatchBytes the most one uploaded batch may decompress to */
  public PutService(long maxBatchBytes) {
    this.maxBatchBytes = maxBatchBytes;
  }

  /** From now on, puts go to {@code ready}; until then they answer UNAVAILABLE. */
  public void ready(CacheProducer ready) {
    this.producer = ready;
  }

  /**
   * Replaces the Flight service on Arrow's gRPC server builder with one whose DoPut is this.
   * Call it from the {@code grpc.builderConsumer} hook, with what the Flight server was built with.
   * The copy uses Arrow's defaults for what {@code CacheServer} leaves at them (the backpressure
   * threshold, the legacy no-op auth handler); setting either on the Flight server's builder means
   * passing it here too.
   */
  public void install(NettyServerBuilder builder, FlightProducer flight, BufferAllocator allocator, ExecutorService executor) {
    ServerServiceDefinition arrow = FlightGrpcUtils.createFlightService(allocator, flight, ServerAuthHandler.NO_OP, executor)
        .bindService();
    ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(arrow.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : arrow.getMethods()) {
      if (!method.getMethodDescriptor().getFullMethodName().equals(DO_PUT.getFullMethodName())) {
        service.addMethod(method);
      }
    }
    service.addMethod(DO_PUT, this);
    builder.addService(ServerInterceptors.intercept(
        service.build(),
        new ServerBackpressureThresholdInterceptor(FlightServer.DEFAULT_BACKPRESSURE_THRESHOLD),
        new ServerAuthInterceptor(ServerAuthHandler.NO_OP)));
  }

  @Override
  public ServerCall.Listener<InputStream> startCall(ServerCall<InputStream, Flight.PutResult> call, Metadata headers) {
    CacheProducer ready = producer;
    try {
      if (ready == null) {
        throw org.apache.arrow.flight.CallStatus.UNAVAILABLE.withDescription("server is starting: recovering its index")
            .toRuntimeException();
      }
      return ready.startPut(call, new Context(ServerInterceptorAdapter.SERVER_MIDDLEWARE_KEY.get(), call), maxBatchBytes);
    } catch (FlightRuntimeException e) {
      close(call, e);
      return new ServerCall.Listener<>() {};
    }
  }

  /** Ends the call with the status {@code failure} carries. */
  static void close(ServerCall<?, ?> call, FlightRuntimeException failure) {
    call.close(CallErrors.toGrpc(failure), new Metadata());
  }

  static void ok(ServerCall<?, ?> call) {
    call.close(Status.OK, new Metadata());
  }

  /** The call's Flight middleware, as the producer's other calls see it. */
  private record Context(Map<FlightServerMiddleware.Key<?>, FlightServerMiddleware> middleware, ServerCall<?, ?> call)
      implements FlightProducer.CallContext {
    @Override
    public String peerIdentity() {
      return "";
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends FlightServerMiddleware> T getMiddleware(FlightServerMiddleware.Key<T> key) {
      return middleware == null ? null : (T) middleware.get(key);
    }

    @Override
    public Map<FlightServerMiddleware.Key<?>, FlightServerMiddleware> getMiddleware() {
      return middleware == null ? Map.of() : middleware;
    }
  }

  /** Leaves each request as the stream gRPC received; {@link PutHandler} reads it. */
  private static final class RawMessages implements MethodDescriptor.Marshaller<InputStream> {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  }
}
