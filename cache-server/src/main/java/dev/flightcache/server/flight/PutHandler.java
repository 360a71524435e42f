package dev.flightcache.server.flight;

import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import dev.flightcache.proto.Permission;
import dev.flightcache.server.auth.Principal;
import dev.flightcache.server.auth.Scope;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.ObjectEntry;
import dev.flightcache.server.store.ObjectFormat;
import dev.flightcache.server.store.PendingWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightProducer.StreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * do_put: a put, a replace or a patch. The payload streams batch by batch into a pending write,
 * so memory stays bounded by one message whatever the object's size; only a complete, valid
 * upload is committed, and the answer is exactly one {@code PutResult} holding the BSON ref.
 */
final class PutHandler {
  private static final Logger logger = LoggerFactory.getLogger(PutHandler.class);

  private final FileObjectStore store;
  private final BufferAllocator allocator;
  private final String endpoint;

  PutHandler(FileObjectStore store, BufferAllocator allocator, String endpoint) {
    this.store = store;
    this.allocator = allocator;
    this.endpoint = endpoint;
  }

  /** What a do_put asks for, read from its descriptor. */
  /** @param shown the key, or for a put to a session that session, as the caller named it */
  private record Target(ObjectKey key, boolean patch, String shown) {
    static Target of(FlightDescriptor descriptor) {
      if (descriptor.isCommand()) {
        String command = new String(descriptor.getCommand(), StandardCharsets.UTF_8);
        if (!command.startsWith(Protocol.PATCH_COMMAND_PREFIX)) {
          throw new InvalidRequestException("key must be provided in descriptor path or command");
        }
        ObjectKey key = ObjectKey.parse(command.substring(Protocol.PATCH_COMMAND_PREFIX.length()));
        return new Target(key, true, key.toString());
      }
      List<String> path = descriptor.getPath();
      if (path.isEmpty() || path.get(0).isEmpty()) {
        throw new InvalidRequestException("key must be provided in descriptor path or command");
      }
      KeyPath keyPath = KeyPath.parse(path.get(0));
      if (keyPath.isAppWildcard()) {
        throw new InvalidRequestException("cannot put to '" + keyPath + "': name a session or a key");
      }
      ObjectKey key =
          keyPath.isFullKey() ? keyPath.toKey() : ObjectKey.generated(keyPath.app(), keyPath.session());
      return new Target(key, false, keyPath.toString());
    }
  }

  /** @param caller who is writing; checked before anything of the upload is read or looked up */
  Runnable accept(FlightStream stream, StreamListener<PutResult> ack, CallTracking call, Principal caller) {
    return () -> {
      try {
        ObjectEntry entry = receive(stream, call, caller);
        call.version(entry.version());
        byte[] ref = new ObjectRef(endpoint, entry.key(), entry.version()).toBson();
        ArrowBuf metadata = allocator.buffer(ref.length);
        metadata.writeBytes(ref);
        try (PutResult result = PutResult.metadata(metadata)) {
          ack.onNext(result);
        }
        ack.onCompleted();
        logger.debug("Stored {} v{} ({} bytes)", entry.key(), entry.version(), entry.sizeBytes());
      } catch (Throwable failure) {
        ack.onError(CallErrors.toFlight(failure));
      }
    };
  }

  private ObjectEntry receive(FlightStream stream, CallTracking call, Principal caller) throws IOException {
    Target target = Target.of(stream.getDescriptor());
    call.key(target.key().toString());
    caller.require(Permission.WRITE, Scope.of(target.key()), target.shown());
    Schema schema = stream.getSchema();
    if (Protocol.isNativeTable(schema)) {
      if (target.patch()) {
        throw new InvalidRequestException("a patch is bytes: send (version uint64, data binary) rows, not an Arrow table");
      }
      try (PendingWrite write = store.beginPut(target.key())) {
        try {
          receiveTable(stream, write);
        } finally {
          call.addBytesIn(write.sizeBytes());
        }
        return store.commitPut(target.key(), ObjectFormat.TABLE, write);
      }
    }
    checkOpaqueSchema(schema);
    try (PendingWrite write = target.patch() ? store.beginPatch(target.key()) : store.beginPut(target.key())) {
      try {
        receiveRows(stream, write);
      } finally {
        call.addBytesIn(write.sizeBytes());
      }
      return target.patch()
          ? store.commitPatch(target.key(), write)
          : store.commitPut(target.key(), ObjectFormat.OPAQUE, write);
    }
  }

  private static void checkOpaqueSchema(Schema schema) {
    List<Field> fields = schema.getFields();
    boolean versionOk = fields.size() >= 2 && fields.get(0).getType().equals(new ArrowType.Int(64, false));
    boolean dataOk = fields.size() >= 2 && fields.get(1).getType().equals(ArrowType.Binary.INSTANCE);
    if (!versionOk || !dataOk) {
      throw new InvalidRequestException(
          "Invalid upload schema: expected column 0 'version' uint64 and column 1 'data' binary, got " + schema);
    }
  }

  /**
   * The next batch of the upload. A batch Arrow cannot decode (a corrupt or truncated body, a
   * compressed buffer that does not decompress) is the caller's bad input, not a server fault.
   */
  private static boolean next(FlightStream stream) {
    try {
      return stream.next();
    } catch (FlightRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidRequestException("Failed to decode batch: " + e.getMessage());
    }
  }

  /** Concatenates the {@code data} of every row of every batch, in order. */
  private static void receiveRows(FlightStream stream, PendingWrite write) throws IOException {
    long rows = 0;
    while (next(stream)) {
      VectorSchemaRoot root = stream.getRoot();
      VarBinaryVector data = (VarBinaryVector) root.getVector(1);
      for (int row = 0; row < root.getRowCount(); row++) {
        if (data.isNull(row)) {
          throw new InvalidRequestException("row " + (rows + row) + " has a null 'data' value");
        }
        int length = data.getValueLength(row);
        if (length > 0) {
          write.write(data.getDataBuffer().nioBuffer(data.getStartOffset(row), length));
        }
      }
      rows += root.getRowCount();
    }
    if (rows == 0) {
      throw new InvalidRequestException("No data received: an upload needs at least one row");
    }
  }

  /** Stores the schema and every batch as an Arrow IPC stream. */
  private static void receiveTable(FlightStream stream, PendingWrite write) throws IOException {
    for (Field field : stream.getSchema().getFields()) {
      if (field.getDictionary() != null) {
        throw new InvalidRequestException("dictionary-encoded column '" + field.getName() + "' is not supported");
      }
    }
    long batches = 0;
    try (ArrowStreamWriter writer = new ArrowStreamWriter(stream.getRoot(), null, write.channel())) {
      writer.start();
      while (next(stream)) {
        writer.writeBatch();
        batches++;
      }
      writer.end();
    }
    if (batches == 0) {
      throw new InvalidRequestException("No data received: a table upload needs at least one batch");
    }
  }
}
