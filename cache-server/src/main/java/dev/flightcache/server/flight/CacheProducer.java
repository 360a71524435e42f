package dev.flightcache.server.flight;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetMany;
import dev.flightcache.proto.GetTicket;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import dev.flightcache.proto.Version;
import dev.flightcache.server.auth.AuthMiddleware;
import dev.flightcache.server.auth.Authenticator;
import dev.flightcache.proto.Permission;
import dev.flightcache.server.auth.Principal;
import dev.flightcache.server.auth.Scope;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.ObjectEntry;
import dev.flightcache.server.store.ObjectFormat;
import dev.flightcache.server.store.ObjectRead;
import io.grpc.ServerCall;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flight service of the cache: flame-object-cache 0.6's protocol (docs/protocol.md) on top
 * of a {@link FileObjectStore}. Thread-safe.
 */
public final class CacheProducer extends NoOpFlightProducer {
  private static final Logger logger = LoggerFactory.getLogger(CacheProducer.class);
  private static final List<ActionType> ACTIONS = List.of(
      new ActionType(Protocol.ACTION_DELETE, "Delete objects by key prefix: app/session/object, app/session or app/*"),
      new ActionType(StatsAction.TYPE, "The store's counters (objects, bytes, budget, evictions) as a BSON document"),
      new ActionType(MintTokenAction.TYPE, "Sign a delegation token narrower than the caller's own grants (needs admin)"),
      new ActionType(GetMany.ACTION, "Several gets of small objects in one call, as a BSON document (not in flame's protocol)"));

  private final FileObjectStore store;
  private final BufferAllocator allocator;
  private final Location advertised;
  private final PutHandler puts;
  private final GetResponder gets;
  private final GetManyAction getMany;
  private final String advertisedEndpoint;
  private final Authenticator auth;

  /**
   * @param advertisedEndpoint the endpoint put into every ref and location
   * @param chunkBytes size of each base row when rows are chunked
   * @param singleRowMaxBytes largest base sent as one row to callers that do not ask for chunks
   * @param blocking the call executor, for the part of a do_get that may wait (see {@link InlineGets})
   * @param auth who callers are; every call is checked against the caller's grants before
   *     anything is looked up
   */
  public CacheProducer(
      FileObjectStore store, BufferAllocator allocator, String advertisedEndpoint, int chunkBytes, long singleRowMaxBytes,
      java.util.concurrent.Executor blocking, Authenticator auth) {
    this.auth = auth;
    this.store = store;
    this.allocator = allocator;
    this.advertised = location(advertisedEndpoint);
    this.advertisedEndpoint = advertisedEndpoint;
    this.puts = new PutHandler(store, allocator, advertisedEndpoint);
    this.getMany = new GetManyAction(store);
    this.gets = new GetResponder(store, allocator, new GetResponder.ResponseLimits(chunkBytes, singleRowMaxBytes), blocking);
  }

  /**
   * The middleware the server must install: the chunked-rows header, refusing Handshake, and
   * tracking each call for {@code observer} (Handshake, refused first, is not tracked).
   *
   * @param nanoTime the clock call durations are measured with, such as {@code System::nanoTime}
   */
  public static void install(
      org.apache.arrow.flight.FlightServer.Builder builder, CallObserver observer, java.util.function.LongSupplier nanoTime) {
    builder.middleware(ChunkedRowsMiddleware.KEY, new ChunkedRowsMiddleware.Factory());
    builder.middleware(HandshakeRefusal.KEY, new HandshakeRefusal());
    builder.middleware(CallTracking.KEY, new CallTracking.Factory(observer, nanoTime));
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    try {
      Principal caller = AuthMiddleware.caller(context, auth);
      GetTicket get = GetTicket.parse(ticket.getBytes());
      caller.require(Permission.READ, Scope.of(get.key()), get.key());
      ChunkedRowsMiddleware header = context.getMiddleware(ChunkedRowsMiddleware.KEY);
      gets.respond(get, header != null && header.accepted(), listener, CallTracking.of(context));
    } catch (Throwable failure) {
      listener.error(CallErrors.toFlight(failure));
    }
  }

  /**
   * do_put, which {@link PutService} serves at the gRPC level instead of Arrow's {@code acceptPut}.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHENTICATED if the call has no caller
   */
  ServerCall.Listener<InputStream> startPut(
      ServerCall<InputStream, Flight.PutResult> call, CallContext context, long maxBatchBytes) {
    return puts.start(call, CallTracking.of(context), AuthMiddleware.caller(context, auth), maxBatchBytes);
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    CallTracking call = CallTracking.of(context);
    call.action(action.getType());
    try {
      Principal caller = AuthMiddleware.caller(context, auth);
      if (StatsAction.TYPE.equals(action.getType())) {
        caller.require(Permission.ADMIN, Scope.ALL, Scope.ALL);
        listener.onNext(new Result(StatsAction.encode(store)));
        listener.onCompleted();
        return;
      }
      if (MintTokenAction.TYPE.equals(action.getType())) {
        listener.onNext(new Result(MintTokenAction.mint(caller, action.getBody(), auth)));
        listener.onCompleted();
        return;
      }
      if (GetMany.ACTION.equals(action.getType())) {
        listener.onNext(new Result(getMany.answer(caller, action.getBody(), call)));
        listener.onCompleted();
        return;
      }
      if (!Protocol.ACTION_DELETE.equals(action.getType())) {
        throw new InvalidRequestException("Unknown action type: " + action.getType() + ". Supported: " + Protocol.ACTION_DELETE
            + ", " + StatsAction.TYPE + ", " + MintTokenAction.TYPE + ", " + GetMany.ACTION + ".");
      }
      KeyPath path = KeyPath.parse(utf8(action.getBody(), "Invalid action body"));
      call.key(path.toString());
      caller.require(Permission.DELETE, Scope.of(path), path);
      int removed = store.delete(path);
      logger.debug("Deleted {} objects under {}", removed, path);
      listener.onNext(new Result(Protocol.ACTION_OK.getBytes(StandardCharsets.US_ASCII)));
      listener.onCompleted();
    } catch (Throwable failure) {
      listener.onError(CallErrors.toFlight(failure));
    }
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    try {
      AuthMiddleware.caller(context, auth);
      ACTIONS.forEach(listener::onNext);
      listener.onCompleted();
    } catch (Throwable failure) {
      listener.onError(CallErrors.toFlight(failure));
    }
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      Principal caller = AuthMiddleware.caller(context, auth);
      ObjectKey key = describedKey(descriptor);
      CallTracking.of(context).key(key.toString());
      caller.require(Permission.READ, Scope.of(key), key);
      Optional<ObjectEntry> entry = store.entry(key);
      return info(key, schemaOf(key, entry), entry.orElse(null));
    } catch (Throwable failure) {
      throw CallErrors.toFlight(failure);
    }
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    try {
      Principal caller = AuthMiddleware.caller(context, auth);
      ObjectKey key = describedKey(descriptor);
      CallTracking.of(context).key(key.toString());
      caller.require(Permission.READ, Scope.of(key), key);
      return new SchemaResult(schemaOf(key, store.entry(key)));
    } catch (Throwable failure) {
      throw CallErrors.toFlight(failure);
    }
  }

  @Override
  public void listFlights(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    try {
      Principal caller = AuthMiddleware.caller(context, auth);
      String prefix = utf8(criteria.getExpression(), "Invalid criteria");
      CallTracking.of(context).key(prefix);
      for (ObjectEntry entry : store.list(prefix)) {
        // Only what the caller may read; the rest is left out as if it did not exist.
        if (caller.allows(Permission.READ, Scope.of(entry.key()))) {
          listener.onNext(info(entry.key(), Protocol.RESPONSE_SCHEMA, entry));
        }
      }
      listener.onCompleted();
    } catch (Throwable failure) {
      listener.onError(CallErrors.toFlight(failure));
    }
  }

  /**
   * A FlightInfo whose descriptor is the joined key as one path element, as flame answers. For a
   * stored object, its app_metadata is the object's BSON ref, which carries the current version.
   *
   * @param entry null if the key holds no object
   */
  private FlightInfo info(ObjectKey key, Schema schema, ObjectEntry entry) {
    FlightEndpoint endpoint =
        new FlightEndpoint(new Ticket(key.toString().getBytes(StandardCharsets.UTF_8)), advertised);
    long sizeBytes = entry == null ? -1 : entry.sizeBytes();
    byte[] ref = entry == null ? null : new ObjectRef(advertisedEndpoint, key, entry.version()).toBson();
    return new FlightInfo(
        schema, FlightDescriptor.path(key.toString()), List.of(endpoint), sizeBytes, -1, false, IpcOption.DEFAULT, ref);
  }

  /** The schema a do_get of the key answers with: the table's own, or the row schema. */
  private Schema schemaOf(ObjectKey key, Optional<ObjectEntry> entry) throws IOException {
    if (entry.isEmpty() || entry.get().format() != ObjectFormat.TABLE) {
      return Protocol.RESPONSE_SCHEMA;
    }
    try (ObjectRead read = store.read(key, Version.NONE)) {
      if (!(read.answer() instanceof GetAnswer.Table<FileChannel> table)) {
        return Protocol.RESPONSE_SCHEMA;
      }
      return TableBatches.readSchema(allocator, table.table().data(), table.version().bits());
    }
  }

  /** The key a path descriptor names, its elements joined with '/' as flame does. */
  private static ObjectKey describedKey(FlightDescriptor descriptor) {
    if (descriptor.isCommand() || descriptor.getPath().isEmpty()) {
      throw new InvalidRequestException("Empty descriptor path");
    }
    return ObjectKey.parse(String.join("/", descriptor.getPath()));
  }

  private static Location location(String endpoint) {
    try {
      return new Location(endpoint);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("advertised endpoint is not a URI: " + endpoint, e);
    }
  }

  private static String utf8(byte[] bytes, String what) {
    try {
      return Protocol.strictUtf8(bytes);
    } catch (CharacterCodingException e) {
      throw new InvalidRequestException(what + ": not valid UTF-8");
    }
  }
}
