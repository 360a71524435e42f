package dev.flightcache.client;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetTicket;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import dev.flightcache.proto.Version;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * The {@link Wire} over Arrow Flight: one Flight connection per endpoint ({@link Connections}),
 * the calls ({@link FlightCalls}, {@link DirectGet}, {@link GetManyCall}), gets batched per
 * endpoint ({@link GetBatcher}), and the call options: deadline, bearer token, and the
 * chunked-rows header on gets. Flight's failures leave as {@link WireFailure}. Thread-safe.
 */
final class FlightWire implements Wire {
  private final BufferAllocator allocator = new RootAllocator();
  private final Connections connections;
  private final FlightCalls calls = new FlightCalls(allocator);
  private final Credentials credentials;

  FlightWire(Security security, Duration connectTimeout) {
    this.connections = new Connections(allocator, security.tls(), connectTimeout);
    this.credentials = security.credentials();
  }

  @Override
  public ObjectRef put(Endpoint target, String path, UploadSource source, Duration timeout) throws IOException {
    return upload(target, FlightDescriptor.path(path), source, timeout);
  }

  @Override
  public ObjectRef patch(Endpoint target, ObjectKey key, UploadSource source, Duration timeout) throws IOException {
    FlightDescriptor descriptor =
        FlightDescriptor.command((Protocol.PATCH_COMMAND_PREFIX + key).getBytes(StandardCharsets.UTF_8));
    return upload(target, descriptor, source, timeout);
  }

  private ObjectRef upload(Endpoint target, FlightDescriptor descriptor, UploadSource source, Duration timeout)
      throws IOException {
    try {
      return calls.upload(connections.get(target).flight(), descriptor, source, options(timeout, false));
    } catch (FlightRuntimeException e) {
      throw failure(e);
    }
  }

  @Override
  public ObjectRef putTable(Endpoint target, String path, VectorSchemaRoot table, Duration timeout) {
    return flight(() -> calls.putTable(connections.get(target).flight(), FlightDescriptor.path(path), table, options(timeout, false)));
  }

  @Override
  public GetAnswer<ByteBuffer> get(Endpoint target, ObjectKey key, Version held, Duration timeout) {
    return flight(() -> {
      Connections.Connection connection = connections.get(target);
      return connection.gets().fetch(key, held,
          (k, version) -> calls.fetch(connection, k, version, options(timeout, true)),
          (gets, done) -> calls.getMany(connection, gets, done, options(timeout, false)));
    });
  }

  @Override
  public long download(Endpoint target, ObjectKey key, Path destination, LongConsumer progress, Duration timeout)
      throws IOException {
    try {
      return calls.download(connections.get(target).flight(), key, destination, progress, options(timeout, true));
    } catch (FlightRuntimeException e) {
      throw failure(e);
    }
  }

  @Override
  public VectorSchemaRoot getTable(Endpoint target, ObjectKey key, BufferAllocator into, Duration timeout) {
    return flight(() -> {
      Ticket ticket = new Ticket(new GetTicket(key, Version.NONE).encode());
      try (FlightStream stream = connections.get(target).flight().getStream(ticket, options(timeout, false))) {
        if (!Protocol.isNativeTable(stream.getSchema())) {
          throw new InvalidRequestException("getTable " + key + ": the object is bytes, not an Arrow table", null);
        }
        VectorSchemaRoot result = VectorSchemaRoot.create(stream.getSchema(), into);
        try {
          result.allocateNew();
          result.setRowCount(0);
          while (stream.next()) {
            VectorSchemaRootAppender.append(result, stream.getRoot());
          }
          return result;
        } catch (RuntimeException e) {
          result.close();
          throw e;
        }
      } catch (FlightRuntimeException | CacheException e) {
        throw e;
      } catch (Exception e) {
        throw new CacheServerException("getTable " + key + ": " + e.getMessage(), e);
      }
    });
  }

  @Override
  public void delete(Endpoint target, KeyPath path, Duration timeout) {
    flight(() -> {
      calls.delete(connections.get(target).flight(), path, options(timeout, false));
      return null;
    });
  }

  @Override
  public List<ObjectSummary> list(Endpoint target, String keyPrefix, Duration timeout) {
    return flight(() -> calls.list(connections.get(target).flight(), keyPrefix, target.canonical(), options(timeout, false)));
  }

  @Override
  public Map<String, Long> stats(Endpoint target, Duration timeout) {
    return flight(() -> calls.stats(connections.get(target).flight(), options(timeout, false)));
  }

  @Override
  public String mintToken(Endpoint target, MintRequest request, Duration timeout) {
    return flight(() -> calls.mintToken(connections.get(target).flight(), request, options(timeout, false)));
  }

  @Override
  public void close() {
    try {
      connections.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    allocator.close();
  }

  private CallOption[] options(Duration timeout, boolean chunkedRows) {
    List<CallOption> options = new ArrayList<>(3);
    options.add(CallOptions.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
    CallOption bearer = credentials.callOption();
    if (bearer != null) {
      options.add(bearer);
    }
    if (chunkedRows) {
      FlightCallHeaders headers = new FlightCallHeaders();
      headers.insert(Protocol.HEADER_CHUNKED_ROWS, "1");
      options.add(new HeaderCallOption(headers));
    }
    return options.toArray(CallOption[]::new);
  }

  /** Runs a call, turning Flight's failure into a {@link WireFailure}. */
  private static <T> T flight(Supplier<T> call) {
    try {
      return call.get();
    } catch (FlightRuntimeException e) {
      throw failure(e);
    }
  }

  static WireFailure failure(FlightRuntimeException failure) {
    FlightStatusCode status = failure.status().code();
    WireFailure.Code code = switch (status) {
      case NOT_FOUND -> WireFailure.Code.NOT_FOUND;
      case INVALID_ARGUMENT -> WireFailure.Code.INVALID_ARGUMENT;
      case UNAUTHENTICATED -> WireFailure.Code.UNAUTHENTICATED;
      case UNAUTHORIZED -> WireFailure.Code.UNAUTHORIZED;
      case UNAVAILABLE -> WireFailure.Code.UNAVAILABLE;
      case TIMED_OUT -> WireFailure.Code.TIMED_OUT;
      default -> WireFailure.Code.OTHER;
    };
    return new WireFailure(code, status.toString(), failure.status().description(), failure);
  }
}
